/**
 * The metric instance methods (aws-cdk's style: `service.costReporting.metricCost()`, `publisher.metricRuns(outcome)`)
 * read what the publisher function writes, and are what the alarms and the dashboard use: one definition of each
 * metric's namespace, name and dimensions. The function runs here against mocked Cost Explorer and CloudWatch clients
 * with the configuration the construct builds, so a renamed dimension on either side fails the test.
 */
import { CloudWatchClient, GetMetricDataCommand, MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, GetCostAndUsageCommand, ResultByTime } from '@aws-sdk/client-cost-explorer';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { dashboardBody, fixture } from './helpers';
import { CostAlertTarget, CostMetricPublisher, CostPublisherOutcome, CustomerValueMetrics } from '../../src';
import { publishAndReportHealth } from '../../src/reporting/cost-publisher.lambda';
import { PUBLISHER_OUTCOMES, PublisherConfig } from '../../src/reporting/private/publisher-config';

const ce = mockClient(CostExplorerClient);
const cw = mockClient(CloudWatchClient);
const NOW = new Date('2026-11-25T06:00:00Z');

/** A metric as CloudWatch names it: namespace, name and dimensions (sorted by name). */
function identity(namespace: string, name: string, dimensions: Record<string, string>) {
  return { namespace, name, dimensions: Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)) };
}
function ofMetric(stack: Stack, m: cloudwatch.Metric) {
  return identity(m.namespace, m.metricName, stack.resolve(m.dimensions ?? {}));
}
function ofDatum(namespace: string, d: MetricDatum) {
  return identity(namespace, d.MetricName!, Object.fromEntries((d.Dimensions ?? []).map((x) => [x.Name!, x.Value!])));
}

/** The service "checkout" with a unit metric and a unit-cost alarm, its stack's publisher, and what the publisher writes. */
async function published() {
  const f = fixture({ monthlyBudget: 10, notify: [CostAlertTarget.email('payments@example.com')], unitCostAlarm: {} });
  f.service.addUsageMetric('orders', new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders', statistic: 'Sum' }), { unitScale: 1000 });
  const reporting = f.service.costReporting!;
  const config = f.stack.resolve(reporting.publisher._config()) as PublisherConfig;
  const keys = config.tagKeys;
  const days: ResultByTime[] = [];
  for (let t = Date.parse('2026-11-11'); t < Date.parse('2026-11-25'); t += 86_400_000) {
    const start = new Date(t).toISOString().slice(0, 10);
    const end = new Date(t + 86_400_000).toISOString().slice(0, 10);
    days.push({ TimePeriod: { Start: start, End: end }, Total: {}, Estimated: false, Groups: [] });
  }
  const amount = { UnblendedCost: { Amount: '3', Unit: 'USD' } };
  ce.reset();
  cw.reset();
  ce.on(GetCostAndUsageCommand).callsFake(async (input) => ({
    ResultsByTime: days.map((d) => ({
      ...d,
      Groups: [{
        Keys: input.GroupBy.length === 1 ? [`${keys.businessUnit}$retail`] : [`${keys.service}$checkout`, `${keys.team}$payments`],
        Metrics: amount,
      }],
    })),
  }));
  const stamps = days.map((d) => new Date(`${d.TimePeriod!.Start}T00:00:00Z`));
  cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'usage', Timestamps: stamps, Values: stamps.map(() => 500), StatusCode: 'Complete' }] });
  cw.on(PutMetricDataCommand).resolves({});
  await publishAndReportHealth(config, {
    ce: new CostExplorerClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    cloudwatch: () => new CloudWatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    now: NOW,
    log: { info: () => undefined, warn: () => undefined },
  });
  const written = cw.commandCalls(PutMetricDataCommand)
    .flatMap((c) => (c.args[0].input.MetricData ?? []).map((d) => ofDatum(c.args[0].input.Namespace!, d)));
  return { ...f, reporting, written };
}

describe('the metric methods read what the publisher writes', () => {
  test('metricCost, metricUnitUsage, metricUnitCost, metricUnitCostChange of service.costReporting; metricRuns and metricCostDatapoints of the publisher', async () => {
    // GIVEN / WHEN the publisher runs with the construct's configuration
    const { stack, reporting, written } = await published();

    // THEN each instance method names a metric the run wrote (namespace, name, every dimension)
    const methods: Array<[string, cloudwatch.Metric]> = [
      ['metricCost', reporting.metricCost()],
      ['metricUnitUsage', reporting.metricUnitUsage()],
      ['metricUnitCost', reporting.metricUnitCost()],
      ['metricUnitCostChange', reporting.metricUnitCostChange()],
      ['metricRuns(PUBLISHED)', reporting.publisher.metricRuns(CostPublisherOutcome.PUBLISHED)],
      ['metricCostDatapoints', reporting.publisher.metricCostDatapoints()],
    ];
    for (const [name, metric] of methods) {
      expect([name, written.some((w) => JSON.stringify(w) === JSON.stringify(ofMetric(stack, metric)))]).toEqual([name, true]);
    }
    // and the ones it did not write are not there by accident: a service the stack does not hold has none
    expect(written.some((w) => JSON.stringify(w) === JSON.stringify(ofMetric(stack, CustomerValueMetrics.serviceCost('search'))))).toBe(false);
  });

  test('the instance methods and the static helpers for other apps\' services name the same metrics; options are applied', async () => {
    const { stack, reporting } = await published();
    expect(ofMetric(stack, reporting.metricCost())).toEqual(ofMetric(stack, CustomerValueMetrics.serviceCost('checkout')));
    expect(ofMetric(stack, reporting.metricUnitCost())).toEqual(ofMetric(stack, CustomerValueMetrics.unitCost('checkout')));
    expect(ofMetric(stack, reporting.publisher.metricRuns(CostPublisherOutcome.ACCESS_DENIED)))
      .toEqual(ofMetric(stack, CostMetricPublisher.runsMetric('Shop', 'access-denied')));
    expect(ofMetric(stack, reporting.publisher.metricCostDatapoints())).toEqual(ofMetric(stack, CostMetricPublisher.costDatapointsMetric('Shop')));
    // the statistics the README documents: Maximum over a day (re-published days), Sum of runs over a day
    expect([reporting.metricCost().statistic, reporting.metricCost().period.toDays()]).toEqual(['Maximum', 1]);
    expect([reporting.publisher.metricRuns(CostPublisherOutcome.ERROR).statistic, reporting.publisher.metricRuns(CostPublisherOutcome.ERROR).label])
      .toEqual(['Sum', 'error']);
    expect(reporting.metricCost({ statistic: 'Average', label: 'x' })).toMatchObject({ statistic: 'Average', label: 'x' });
  });

  test('CostPublisherOutcome is the publisher\'s list of outcomes (the function writes these values; OUTCOMES is the same list)', () => {
    expect(Object.values(CostPublisherOutcome)).toEqual([...PUBLISHER_OUTCOMES]);
    expect(CostMetricPublisher.OUTCOMES).toEqual(Object.values(CostPublisherOutcome));
  });
});

describe('the alarms and the dashboard use the same metrics', () => {
  test('CostDataAlarm watches metricCostDatapoints, the unit-cost alarm metricUnitCostChange, the dashboard shows metricCost, metricUnitCost and metricRuns of every outcome', async () => {
    // GIVEN
    const { stack, reporting } = await published();
    const t = Template.fromStack(stack);
    const alarmOf = (id: string) => {
      const [, alarm] = Object.entries(t.findResources('AWS::CloudWatch::Alarm')).find(([logicalId]) => logicalId.includes(id))!;
      // a metric with a label is written as a one-metric Metrics list
      const p = (alarm as any).Properties.Metrics?.[0].MetricStat.Metric ?? (alarm as any).Properties;
      return identity(p.Namespace, p.MetricName, Object.fromEntries((p.Dimensions ?? []).map((d: any) => [d.Name, d.Value])));
    };
    // THEN
    expect(alarmOf('CostDataAlarm')).toEqual(ofMetric(stack, reporting.publisher.metricCostDatapoints()));
    expect(alarmOf('UnitCostAlarm')).toEqual(ofMetric(stack, reporting.metricUnitCostChange()));
    const graphed = dashboardBody(t).widgets.flatMap((w: any) => w.properties?.metrics ?? [])
      .map((m: any[]) => {
        const [namespace, name, ...rest] = m.filter((x) => typeof x === 'string');
        const dims: Record<string, string> = {};
        for (let i = 0; i + 1 < rest.length; i += 2) dims[rest[i]] = rest[i + 1];
        return JSON.stringify(identity(namespace, name, dims));
      });
    const shown = (m: cloudwatch.Metric) => graphed.includes(JSON.stringify(ofMetric(stack, m)));
    expect(shown(reporting.metricCost())).toBe(true);
    expect(shown(reporting.metricUnitCost())).toBe(true);
    expect(shown(reporting.metricUnitUsage())).toBe(true);
    for (const outcome of Object.values(CostPublisherOutcome)) {
      expect([outcome, shown(reporting.publisher.metricRuns(outcome))]).toEqual([outcome, true]);
    }
  });
});
