import { Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { UsageMetricRecord } from './record';

/**
 * How a usage metric is recorded in the metadata (tokens in dimensions are rendered as their
 * CloudFormation expression, e.g. `{"Ref":"ApiFn1234"}`).
 */
export function usageRecord(scope: IConstruct, name: string, metric: cloudwatch.IMetric, origin: 'declared' | 'discovered'): UsageMetricRecord {
  const stack = Stack.of(scope);
  const config = metric.toMetricConfig();
  const stat = config.metricStat;
  if (!stat) {
    return {
      name,
      origin,
      namespace: '',
      metricName: '',
      dimensions: {},
      statistic: 'expression',
      periodSeconds: config.mathExpression?.period ?? 300,
    };
  }
  const dims: Record<string, string> = {};
  for (const d of stat.dimensions ?? []) {
    const v = stack.resolve(d.value);
    dims[d.name] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const region = stat.region && !Token.isUnresolved(stat.region) ? stat.region : undefined;
  const account = stat.account && !Token.isUnresolved(stat.account) ? stat.account : undefined;
  return {
    name,
    origin,
    namespace: stat.namespace,
    metricName: stat.metricName,
    dimensions: dims,
    statistic: stat.statistic,
    periodSeconds: stat.period.toSeconds(),
    region,
    account,
  };
}

