import { Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { isUnitScale } from './field-rules';
import { describe } from './rules';
import { UsageMetric, UsageMetricOptions } from '../usage-metric';

/**
 * The rules of `addUsageMetric(name, metric, options)`: what each argument accepts, and which metric is the unit.
 */

const NAME = /^[A-Za-z0-9][A-Za-z0-9 _-]{0,63}$/;

/** The problems of an `addUsageMetric(name, metric, options)` call on a service that already has `existing`. */
export function usageMetricProblems(existing: UsageMetric[], name: unknown, metric: unknown, options: UsageMetricOptions): string[] {
  const call = typeof name === 'string' ? `addUsageMetric(${JSON.stringify(name)})` : 'addUsageMetric';
  if (typeof name !== 'string' || !NAME.test(name)) {
    return [`addUsageMetric: name is ${describe(name)}: use 1-64 letters, digits, spaces, _ or -, starting with a letter or digit (e.g. "orders")`];
  }
  const problems: string[] = [];
  if (existing.some((u) => u.name === name)) {
    problems.push(`addUsageMetric: name "${name}" is already registered on this service: each usage metric needs its own name`);
  }
  if (!metric || typeof (metric as cloudwatch.IMetric).toMetricConfig !== 'function') {
    problems.push(`${call}: metric is ${describe(metric)}: pass a CloudWatch metric (e.g. api.metricCount() or new cloudwatch.Metric({...}))`);
  }
  const scale = options?.unitScale ?? 1;
  if (typeof scale !== 'number' || Token.isUnresolved(scale) || !isUnitScale(scale)) {
    problems.push(`${call}: unitScale is ${describe(scale)}: use a positive number such as 1 or 1000`);
  }
  if (options?.unit !== undefined && typeof options.unit !== 'boolean') {
    problems.push(`${call}: unit is ${describe(options.unit)}: pass true or false`);
  }
  return problems;
}

/**
 * The usage metrics after adding one: the new metric is the unit when asked (`unit: true`, which takes the role
 * from the previous unit) or when it is the first one and `unit` is not false.
 */
export function withUsageMetric(existing: UsageMetric[], name: string, metric: cloudwatch.IMetric, options: UsageMetricOptions): UsageMetric[] {
  const asUnit = options.unit === true || (options.unit === undefined && !existing.some((u) => u.unit));
  const rest = options.unit === true ? existing.map((u) => (u.unit ? { ...u, unit: false } : u)) : existing;
  return [...rest, { name, metric, unit: asUnit, unitScale: options.unitScale ?? 1 }];
}
