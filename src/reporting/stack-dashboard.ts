import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { CostMetricPublisher } from './cost-metric-publisher';
import { createDashboard, dashboardRows, DashboardInputs } from './dashboard';
import type { ICustomerService } from '../customer-service-base';
import { attributeCost } from './cost-attribution';
import { textWidget } from './private/widget-json';
import { withoutCreationStacks } from '../private/creation-stacks';
import { refuseOnProblems } from '../private/problems';
import { markShared } from '../private/shared-marker';

/** CloudWatch accepts at most 500 widgets on a dashboard. */
const MAX_WIDGETS = 500;

interface Section {
  readonly service: ICustomerService;
  readonly inputs: DashboardInputs;
}

/**
 * The dashboard of a stack's services (`DashboardLayout.STACK`): one CloudWatch dashboard, at the stack's root, with
 * the cost publisher's health at the top and a section per service (the same widgets as a service's own dashboard).
 * A dashboard is billed per month, so one per stack costs less than one per service.
 *
 * Created by the services of the stack that choose `DashboardLayout.STACK`; you do not create it.
 */
export class CustomerValueDashboard extends Construct {
  /** The construct id of the dashboard at the root of its stack. */
  public static readonly ID = 'CustomerValueDashboard';

  /**
   * The dashboard of the stack `scope` belongs to, created on first use.
   */
  public static of(scope: IConstruct): CustomerValueDashboard {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(CustomerValueDashboard.ID);
    return existing instanceof CustomerValueDashboard ? existing : new CustomerValueDashboard(stack, CustomerValueDashboard.ID);
  }

  /** The CloudWatch dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** Its name (a token when the region is only known at deploy). */
  public readonly dashboardName: string;
  /**
   * Its name for the metadata (`${AWS::Region}` standing for a region known only at deploy).
   * @internal
   */
  public readonly _displayName: string;

  private readonly sections: Section[] = [];
  private widgetCount = 0;

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    withoutCreationStacks(this);
    markShared(this, 'stack cost dashboard');
    const created = createDashboard(this, 'Dashboard', 'customer-value', () => this.rows());
    this.dashboard = created.dashboard;
    this.dashboardName = created.name.name;
    this._displayName = created.name.display;
    // its cost goes to the service that owns the stack's cost reporting (the publisher's)
    attributeCost(this, () => (CostMetricPublisher.isCreated(this) ? CostMetricPublisher.of(this).costOwner : this.sections[0]?.service));
    refuseOnProblems(this, () => (this.widgetCount > MAX_WIDGETS
      ? [`the cost dashboard of stack ${Stack.of(this).stackName} has ${this.widgetCount} widgets for ${this.sections.length} services, over the ${MAX_WIDGETS} a CloudWatch dashboard holds: give some services dashboardLayout: DashboardLayout.SERVICE, or spread them over more stacks`]
      : []));
  }

  /**
   * Adds a service's section.
   * @internal
   */
  public _addService(service: ICustomerService, inputs: DashboardInputs): void {
    this.sections.push({ service, inputs });
  }

  /** The services shown, in the order they were declared. */
  public get serviceNames(): string[] {
    return this.sections.map((s) => s.service.serviceName);
  }

  private rows(): cloudwatch.IWidget[][] {
    const first = this.sections[0];
    const rows: cloudwatch.IWidget[][] = [
      [textWidget(Stack.of(this), {
        markdown: `# Cost per customer value: the services of stack ${Stack.of(this).stackName}\n${this.sections.map((s) => s.service.serviceName).join(' · ')}`,
        width: 24,
        height: 2,
      })],
      ...(first ? [first.inputs.health.healthWidgets()] : []),
      ...this.sections.flatMap((s) => dashboardRows(s.service, s.inputs, false)),
    ];
    this.widgetCount = rows.reduce((n, r) => n + r.length, 0);
    return rows;
  }
}
