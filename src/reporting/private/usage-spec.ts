import { Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { MetricStatSpec, UsageQuerySpec } from './publisher-config';

/**
 * The `GetMetricData` form of a unit metric, for the cost publisher. Dimension values may hold tokens
 * (a function name, a queue name): CloudFormation resolves them in the schedule's input at deploy.
 *
 * Returns `problem` for metrics the publisher cannot read (a math expression over math expressions).
 */
export function usageQuerySpec(stack: Stack, metric: cloudwatch.IMetric): { spec?: UsageQuerySpec; problem?: string } {
  const config = metric.toMetricConfig();
  if (config.metricStat) {
    const region = foreignRegion(stack, config.metricStat.region);
    return { spec: { metric: statSpec(stack, config.metricStat), ...(region ? { region } : {}) } };
  }
  const math = config.mathExpression;
  if (!math) {
    return { problem: 'the metric is neither a metric nor a math expression' };
  }
  const using: Record<string, MetricStatSpec> = {};
  let region = foreignRegion(stack, math.searchRegion);
  for (const [id, inner] of Object.entries(math.usingMetrics ?? {})) {
    const c = inner.toMetricConfig();
    if (!c.metricStat) {
      return { problem: `the math expression uses another math expression (${id}); register a metric or a one-level expression` };
    }
    using[id] = statSpec(stack, c.metricStat);
    const r = foreignRegion(stack, c.metricStat.region);
    if (r && region && r !== region) {
      return { problem: `the math expression mixes metrics of the regions ${region} and ${r}` };
    }
    region = region ?? r;
  }
  return { spec: { expression: math.expression, using, ...(region ? { region } : {}) } };
}

function statSpec(stack: Stack, s: cloudwatch.MetricStatConfig): MetricStatSpec {
  const account = s.account && !sameValue(stack.account, s.account) ? s.account : undefined;
  const dims = s.dimensions ?? [];
  return {
    ns: s.namespace,
    name: s.metricName,
    ...(dims.length > 0 ? { dims: Object.fromEntries(dims.map((d) => [d.name, d.value])) } : {}),
    stat: s.statistic,
    ...(account ? { account } : {}),
  };
}

/** The metric's region when it differs from the stack's (and both are known). */
function foreignRegion(stack: Stack, region: string | undefined): string | undefined {
  if (!region || Token.isUnresolved(region) || sameValue(stack.region, region)) {
    return undefined;
  }
  return region;
}

function sameValue(a: string, b: string): boolean {
  return a === b || (Token.isUnresolved(a) && Token.isUnresolved(b));
}
