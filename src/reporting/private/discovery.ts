import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';

/** A usage metric found on one of the service's resources. */
export interface DiscoveredMetric {
  /** Unique within the service, e.g. "Api invocations". */
  readonly name: string;
  /** Widget group, e.g. "Lambda invocations". */
  readonly kind: string;
  readonly metric: cloudwatch.IMetric;
  /** Construct path of the resource. */
  readonly path: string;
}

const DAY = { period: Duration.days(1) };

/**
 * The usage metrics of the resources in `roots` (the service and the scopes it included), skipping `skip`
 * (the reporting construct itself). One walk over each subtree; each construct is visited once.
 *
 * A resource in another stack than `skip` (a scope added with `include()`) is left out when its metric names
 * it through a CloudFormation reference (a generated function or queue name, say): showing it would make the
 * dashboard's stack depend on that stack, which ties their deployment order and creates a cycle as soon as
 * the other stack references this one (a grant on the service's table, for instance). Metrics whose
 * dimensions are literal names are kept. Register such usage explicitly with `addUsageMetric` when needed.
 */
export function discoverUsageMetrics(roots: IConstruct[], skip: IConstruct): DiscoveredMetric[] {
  const out: DiscoveredMetric[] = [];
  const seen = new Set<IConstruct>();
  const names = new Set<string>();
  const home = Stack.of(skip);
  roots.forEach((root, rootIndex) => {
    const stack: IConstruct[] = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node === skip || seen.has(node)) {
        continue;
      }
      seen.add(node);
      // children in reverse so the walk (and so the dashboard) follows declaration order
      const children = node.node.children;
      for (let i = children.length - 1; i >= 0; i--) {
        stack.push(children[i]);
      }
      const metrics = metricsOf(node).filter((m) => home === Stack.of(node) || !referencesResources(m.metric));
      if (metrics.length === 0) {
        continue;
      }
      // resources of included scopes are named after the scope ("CheckoutData/Orders")
      const rel = relativeName(root, node);
      const label = rel === '' ? root.node.id : rootIndex === 0 ? rel : `${root.node.id}/${rel}`;
      for (const m of metrics) {
        let name = `${label} ${m.what}`;
        for (let i = 2; names.has(name); i++) {
          name = `${label} ${m.what} (${i})`;
        }
        names.add(name);
        out.push({ name, kind: m.kind, metric: m.metric, path: node.node.path });
      }
    }
  });
  return out;
}

function metricsOf(node: IConstruct): { kind: string; what: string; metric: cloudwatch.IMetric }[] {
  if (node instanceof lambda.Function) {
    return [{ kind: 'Lambda invocations', what: 'invocations', metric: node.metricInvocations(DAY) }];
  }
  if (node instanceof apigateway.RestApiBase) {
    return [{ kind: 'API Gateway requests', what: 'requests', metric: node.metricCount(DAY) }];
  }
  if (node instanceof apigatewayv2.HttpApi) {
    return [{ kind: 'API Gateway requests', what: 'requests', metric: node.metricCount(DAY) }];
  }
  if (node instanceof dynamodb.Table || node instanceof dynamodb.TableV2) {
    const table = node as dynamodb.Table | dynamodb.TableV2;
    return [
      { kind: 'DynamoDB consumed capacity', what: 'consumed read capacity', metric: table.metricConsumedReadCapacityUnits(DAY) },
      { kind: 'DynamoDB consumed capacity', what: 'consumed write capacity', metric: table.metricConsumedWriteCapacityUnits(DAY) },
    ];
  }
  if (node instanceof sqs.Queue) {
    return [{ kind: 'SQS messages sent', what: 'messages sent', metric: node.metricNumberOfMessagesSent(DAY) }];
  }
  if (node instanceof sns.Topic) {
    return [{ kind: 'SNS messages published', what: 'messages published', metric: node.metricNumberOfMessagesPublished(DAY) }];
  }
  if (node instanceof sfn.StateMachine) {
    return [{ kind: 'Step Functions executions started', what: 'executions started', metric: node.metricStarted(DAY) }];
  }
  if (node instanceof ecs.BaseService) {
    return [
      { kind: 'ECS service CPU utilization', what: 'CPU utilization', metric: node.metricCpuUtilization(DAY) },
      {
        // Container Insights metric: present when Container Insights is on for the cluster.
        kind: 'ECS running tasks',
        what: 'running tasks',
        metric: new cloudwatch.Metric({
          namespace: 'ECS/ContainerInsights',
          metricName: 'RunningTaskCount',
          dimensionsMap: { ClusterName: node.cluster.clusterName, ServiceName: node.serviceName },
          statistic: cloudwatch.Stats.AVERAGE,
          ...DAY,
        }),
      },
    ];
  }
  if (node instanceof elbv2.ApplicationLoadBalancer) {
    return [{ kind: 'ALB requests', what: 'requests', metric: node.metrics.requestCount(DAY) }];
  }
  return [];
}

/** Whether a metric's dimensions hold tokens (references to resources, resolved at deployment). */
function referencesResources(metric: cloudwatch.IMetric): boolean {
  const dims = metric.toMetricConfig().metricStat?.dimensions ?? [];
  return dims.some((d) => Token.isUnresolved(d.value));
}

/** The path of `node` below `root` ("Api", "Backend/Orders"); empty for the root itself. */
function relativeName(root: IConstruct, node: IConstruct): string {
  if (node === root) {
    return '';
  }
  const prefix = root.node.path ? `${root.node.path}/` : '';
  const rel = node.node.path.startsWith(prefix) ? node.node.path.slice(prefix.length) : node.node.path;
  return rel;
}
