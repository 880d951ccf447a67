import { CfnResource, Stack, Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CustomerService } from '../../customer-service';

const BUDGET = 'AWS::Budgets::Budget';
const DASHBOARD = 'AWS::CloudWatch::Dashboard';

/** The resolved CloudFormation properties of `node` (escape hatches applied); `{}` when it cannot be rendered. */
function resolvedProperties(node: CfnResource): Record<string, unknown> {
  try {
    const cfn = Stack.of(node).resolve((node as any)._toCloudFormation());
    const resource = Object.values(cfn?.Resources ?? {})[0] as { Properties?: Record<string, unknown> } | undefined;
    return resource?.Properties ?? {};
  } catch {
    return {};
  }
}

function stageOf(c: IConstruct): IConstruct {
  return Stage.of(c) ?? c.node.root;
}

/**
 * Whether a budget's filter selects the resources tagged `key=value`: the legacy form
 * `CostFilters: { TagKeyValue: ["user:<key>$<value>"] }`, or a `FilterExpression` holding
 * `Tags: { Key: "<key>" | "user:<key>", Values: [..."<value>"...] }` outside any `Not` (aws-cost-facts §2).
 */
export function budgetSelectsTag(budget: CfnResource, key: string, value: string): boolean {
  const data = resolvedProperties(budget).Budget as Record<string, any> | undefined;
  if (!data) {
    return false;
  }
  const legacy = data.CostFilters?.TagKeyValue;
  if (Array.isArray(legacy) && legacy.includes(`user:${key}$${value}`)) {
    return true;
  }
  return expressionSelects(data.FilterExpression, key, value);
}

function expressionSelects(expr: any, key: string, value: string): boolean {
  if (!expr || typeof expr !== 'object') {
    return false;
  }
  const tags = expr.Tags;
  if (tags && (tags.Key === key || tags.Key === `user:${key}`) && Array.isArray(tags.Values) && tags.Values.includes(value)) {
    return true;
  }
  return [...(Array.isArray(expr.And) ? expr.And : []), ...(Array.isArray(expr.Or) ? expr.Or : [])]
    .some((e: any) => expressionSelects(e, key, value));
}

/**
 * The budgets in the same account as `service` (a stack of the same known account, or the same stage when the account
 * is only known at deploy) whose filter selects the service's tag. Deployments of a service in one account share one
 * budget, which can be in another stage.
 */
export function budgetsOf(service: CustomerService, resources: CfnResource[]): CfnResource[] {
  const stage = stageOf(service);
  const account = Stack.of(service).account;
  const sameAccount = (r: CfnResource) => (Token.isUnresolved(account) ? stageOf(r) === stage : Stack.of(r).account === account);
  return resources.filter((r) => r.cfnResourceType === BUDGET && sameAccount(r)
    && budgetSelectsTag(r, service.tagKeys.service, service.serviceName));
}

/**
 * The dashboards of `service`: the dashboards that belong to it (declared inside it or in a scope it includes), its
 * section of its stack's dashboard (`DashboardLayout.STACK`), and dashboards in its stage whose name holds the service
 * name as a whole word.
 */
export function dashboardsOf(service: CustomerService, resources: CfnResource[]): CfnResource[] {
  const stage = stageOf(service);
  // the stack's dashboard is shared infrastructure (left out of `resources`): the service's section of it counts
  const shared = service.costReporting?.dashboard?.node.defaultChild;
  const stackDashboard = shared && CfnResource.isCfnResource(shared) && CustomerService.of(shared) === undefined ? [shared] : [];
  const named = new RegExp(`(^|[^A-Za-z0-9])${service.serviceName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9]|$)`);
  return [...stackDashboard, ...resources.filter((r) => {
    if (r.cfnResourceType !== DASHBOARD || stageOf(r) !== stage) {
      return false;
    }
    if (CustomerService.of(r) === service) {
      return true;
    }
    const name = resolvedProperties(r).DashboardName;
    return typeof name === 'string' && named.test(name);
  })];
}
