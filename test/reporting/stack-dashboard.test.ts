/**
 * DashboardLayout.STACK: one dashboard per stack with a section per service (a dashboard is billed per month).
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { CustomerService } from '../../src/customer-service';
import { DashboardLayout } from '../../src/reporting/cost-reporting-options';
import { CustomerValueDashboard } from '../../src/reporting/stack-dashboard';
import { synthFindings, testApp } from '../util';
import { DECLARATION, ENV, flatten } from './helpers';

function shop(layouts: Record<string, DashboardLayout | undefined>) {
  const app = testApp();
  const stack = new Stack(app, 'Shop', { env: ENV });
  const services = Object.entries(layouts).map(([name, dashboardLayout]) => {
    const s = new CustomerService(stack, name, { ...DECLARATION, serviceName: name, costReporting: { monthlyBudget: 10, dashboardLayout } });
    s.addUsageMetric('orders', new cloudwatch.Metric({ namespace: 'Shop', metricName: `${name}Orders`, statistic: 'Sum' }));
    return s;
  });
  return { app, stack, services };
}

function dashboards(stack: Stack): Record<string, any> {
  const out: Record<string, any> = {};
  for (const r of Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'))) {
    out[flatten(r.Properties.DashboardName)] = JSON.parse(flatten(r.Properties.DashboardBody));
  }
  return out;
}

test('services that choose STACK share one dashboard with a section each and the publisher\'s health once', () => {
  // GIVEN two services on the stack's dashboard, one with its own
  const { app, stack, services } = shop({ checkout: DashboardLayout.STACK, search: DashboardLayout.STACK, returns: DashboardLayout.SERVICE });

  // THEN two dashboards instead of three
  const all = dashboards(stack);
  expect(Object.keys(all).sort()).toEqual(['customer-value-Shop-eu-west-1', 'returns-Shop-eu-west-1']);
  const titles = all['customer-value-Shop-eu-west-1'].widgets.map((w: any) => w.properties.title ?? w.properties.markdown.split('\n')[0]);
  expect(titles.filter((t: string) => t === 'Cost publisher of stack Shop')).toHaveLength(1);
  expect(titles).toContain('Daily cost of checkout (USD), all deployments in account 111111111111');
  expect(titles).toContain('Daily cost of search (USD), all deployments in account 111111111111');
  expect(titles).toContain('Usage: orders (unit)');
  expect(titles).not.toContain('Daily cost of returns (USD), all deployments in account 111111111111');
  expect(CustomerValueDashboard.of(stack).serviceNames).toEqual(['checkout', 'search']);
  expect(services[0].costReporting!.dashboard).toBe(CustomerValueDashboard.of(stack).dashboard);

  // and the metadata says where each service's dashboard is
  const records = app.synth().getStackByName('Shop').findMetadataByType('customer-value:service').map((m) => m.data as any);
  expect(records.map((r) => [r.serviceName, r.costReporting.dashboardName, r.costReporting.dashboardLayout])).toEqual([
    ['checkout', 'customer-value-Shop-eu-west-1', 'stack'],
    ['search', 'customer-value-Shop-eu-west-1', 'stack'],
    ['returns', 'returns-Shop-eu-west-1', 'service'],
  ]);
});

test('the stack dashboard synthesizes without a finding', () => {
  const { app } = shop({ checkout: DashboardLayout.STACK, search: DashboardLayout.STACK });
  expect(synthFindings(app)).toEqual({ findings: [] });
});

test('a dashboard layout that is not one is refused at synth', () => {
  const { app } = shop({ checkout: 'TEAM' as DashboardLayout });
  expect(() => app.synth()).toThrow('costReporting.dashboardLayout is "TEAM": accepted values are DashboardLayout.SERVICE, DashboardLayout.STACK');
});

test('STACK is the default layout', () => {
  const { stack } = shop({ checkout: undefined, search: undefined });
  expect(Object.keys(dashboards(stack))).toEqual(['customer-value-Shop-eu-west-1']);
});

test('the stack dashboard\'s cost goes to the stack\'s first service, like the publisher\'s', () => {
  const { stack } = shop({ checkout: undefined, search: undefined });
  const [dashboard] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboard.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'customer-service', Value: 'checkout' }, { Key: 'team', Value: 'payments' }]));
});
