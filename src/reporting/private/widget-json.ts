import { Aws, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Compiled, compileJson, PrecompiledJson } from './dashboard-body';

/*
 * The text and graph widgets of cost reporting's dashboards, written as the JSON aws-cdk-lib's `TextWidget` and
 * `GraphWidget` give once their body is resolved, without building those widgets.
 *
 * A `GraphWidget` renders each metric through tokens of its own (`DropEmptyObjectAtTheEndOfAnArray` around every
 * metric line, `regionIfDifferentFromStack` / `accountIfDifferentFromStack` for the metric's region and account): three
 * tokens registered per metric line at every rendering, which the dashboard body then has to find again and resolve.
 * At 500 services that is ~10 000 metric lines (issue 22, bench/RESULTS.md). Here a metric line is written with what
 * those tokens resolve to, in the dashboard's stack: a region or account left out when it is the stack's, the options
 * object left out when empty. The JSON is otherwise the same, member for member and in the same order, and still holds
 * the tokens of the values themselves (a resource's name in a dimension, `AWS::Region`): the dashboard body resolves
 * them in each rendering's context, as before.
 *
 * Only plain metrics (`metricStat`: a namespace, a name, dimensions) are written here, with no token in their label,
 * colour, period, statistic or options; a graph holding anything else (metric math, a search expression, a token where
 * aws-cdk-lib would have to decide at resolution) is aws-cdk-lib's `GraphWidget`, as before.
 */

/**
 * A widget whose JSON is built when asked, for a dashboard at its position: compiled for the dashboard's stack
 * (`PrecompiledJson`) when every value that may hold a token is one `compile` knows how to write.
 */
class JsonWidget implements cloudwatch.IWidget {
  private x?: number;
  private y?: number;

  constructor(public readonly width: number, public readonly height: number, private readonly stack: Stack,
    private readonly type: 'text' | 'metric', private readonly properties: () => Record<string, unknown>,
    private readonly compileProperties: () => Compiled | undefined) {}

  public position(x: number, y: number): void {
    this.x = x;
    this.y = y;
  }

  public toJson(): any[] {
    const plain = () => ({ type: this.type, width: this.width, height: this.height, x: this.x, y: this.y, properties: this.properties() });
    const properties = this.x !== undefined && this.y !== undefined ? this.compileProperties() : undefined;
    if (properties === undefined) {
      return [plain()];
    }
    // the members in the order of `plain`, as the dashboard body would compile it
    const head = `{"type":"${this.type}","width":${this.width},"height":${this.height},"x":${this.x},"y":${this.y},"properties":`;
    return [new PrecompiledJson(this.stack, { kind: 'concat', parts: [head, properties, '}'] }, plain)];
  }
}

/** A Markdown text widget: `cloudwatch.TextWidget` with its default (transparent) background. */
export function textWidget(stack: Stack, props: { readonly markdown: string; readonly width: number; readonly height: number }): cloudwatch.IWidget {
  const properties = () => ({ markdown: props.markdown, background: 'transparent' });
  return new JsonWidget(props.width, props.height, stack, 'text', properties,
    () => (Token.isUnresolved(props.markdown) ? undefined : JSON.stringify(properties())));
}

/** What the library's graphs set of `cloudwatch.GraphWidgetProps`. */
export interface GraphProps {
  readonly title: string;
  readonly left: cloudwatch.IMetric[];
  readonly right?: cloudwatch.IMetric[];
  readonly leftYAxis?: cloudwatch.YAxisProps;
  readonly stacked?: boolean;
  readonly width: number;
  readonly height: number;
}

/**
 * A time-series graph, as `cloudwatch.GraphWidget` writes it; `cloudwatch.GraphWidget` itself when a metric is not a plain
 * metric this file can write (see the top of the file).
 */
export function graphWidget(stack: Stack, props: GraphProps): cloudwatch.IWidget {
  const lines = metricLines(stack, props.left, props.right ?? []);
  if (!lines || Token.isUnresolved(props.title)) {
    return new cloudwatch.GraphWidget({ ...props });
  }
  const properties = () => ({
    view: cloudwatch.GraphWidgetView.TIME_SERIES,
    title: props.title,
    region: Aws.REGION,
    stacked: props.stacked,
    metrics: lines.length > 0 ? lines : undefined,
    yAxis: { left: props.leftYAxis, right: undefined },
  });
  return new JsonWidget(props.width, props.height, stack, 'metric', properties, () => compileGraph(stack, props, lines));
}

/**
 * The graph's properties compiled (what `compileJson` gives for them, member by member): literal text around the
 * region (`AWS::Region`) and the metric lines (each compiled on its own: a dimension may name a resource).
 */
function compileGraph(stack: Stack, props: GraphProps, lines: unknown[][]): Compiled | undefined {
  const axis = props.leftYAxis ?? {};
  if (!Object.values(axis).every((v) => typeof v === 'boolean' || ((typeof v === 'number' || typeof v === 'string') && !Token.isUnresolved(v)))) {
    return undefined;
  }
  const region = compileJson(stack, Aws.REGION);
  if (typeof region === 'symbol') {
    return undefined;
  }
  const parts: Compiled[] = [`{"view":"${cloudwatch.GraphWidgetView.TIME_SERIES}","title":${JSON.stringify(props.title)},"region":`, region];
  let text = props.stacked !== undefined ? `,"stacked":${props.stacked}` : '';
  if (lines.length > 0) {
    parts.push(`${text},"metrics":[`);
    lines.forEach((line, i) => {
      if (i > 0) {
        parts.push(',');
      }
      parts.push(compileJson(stack, line) as Compiled);
    });
    text = ']';
  }
  parts.push(`${text},"yAxis":${JSON.stringify({ left: props.leftYAxis })}}`);
  return { kind: 'concat', parts };
}

/**
 * aws-cdk-lib's `allMetricsGraphJson` for plain metrics: one line per distinct metric (`metricKey`: the first of equal
 * metrics is kept, with the axis it was first given), `[namespace, name, dimension name, value, ..., options]`.
 * Undefined when a metric is not plain.
 */
function metricLines(stack: Stack, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[]): unknown[][] | undefined {
  const lines: unknown[][] = [];
  const keys = new Set<string>();
  for (const [axis, metrics] of [['left', left], ['right', right]] as const) {
    for (const metric of metrics) {
      const config = metric.toMetricConfig();
      const stat = config.metricStat;
      if (!stat || config.mathExpression || config.searchExpression) {
        return undefined;
      }
      const key = [stat.namespace, stat.metricName, ...(stat.dimensions ?? []).flatMap((d) => [d.name, d.value]), stat.statistic,
        stat.period ? String(stat.period.toSeconds()) : '', stat.region ?? '', stat.account ?? ''].join('|');
      if (keys.has(key)) {
        continue;
      }
      keys.add(key);
      const line = metricLine(stack, config, axis);
      if (!line) {
        return undefined;
      }
      lines.push(line);
    }
  }
  return lines;
}

/** One metric line (aws-cdk-lib's `metricGraphJson` for a metric on an axis, its tokens resolved in `stack`). */
function metricLine(stack: Stack, config: cloudwatch.MetricConfig, axis: 'left' | 'right'): unknown[] | undefined {
  const stat = config.metricStat!;
  const line: unknown[] = [stat.namespace, stat.metricName];
  for (const d of stat.dimensions ?? []) {
    if (typeof d.value !== 'string') {
      return undefined;
    }
    line.push(d.name, d.value);
  }
  // the members in aws-cdk-lib's order: the rendering properties, then account, region, period, statistic, axis
  const options: Record<string, unknown> = { ...config.renderingProperties };
  if (stat.accountOverride) {
    options.accountId = stat.accountOverride;
  } else if (stat.account) {
    options.accountId = ifDifferentFromStack(stat.account, stack.account);
  }
  if (stat.regionOverride) {
    options.region = stat.regionOverride;
  } else if (stat.region) {
    options.region = ifDifferentFromStack(stat.region, stack.region);
  }
  const period = stat.period?.toSeconds();
  if (period !== undefined && period !== 300) {
    options.period = period;
  }
  if (stat.statistic && stat.statistic !== 'Average') {
    options.stat = stat.statistic;
  }
  if (axis !== 'left') {
    options.yAxis = axis;
  }
  const rendered: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) {
      continue;
    }
    if (typeof v === 'object' || (Token.isUnresolved(v) && k !== 'accountId' && k !== 'region')) {
      // a value aws-cdk-lib decides at resolution (a token, which may resolve to nothing): its own rendering; an account or
      // region token (a stack's whose env is known only at deploy) always resolves, and is written as aws-cdk-lib writes it
      return undefined;
    }
    rendered[k] = v;
  }
  if (Object.keys(rendered).length > 0) {
    line.push(rendered);
  }
  return line;
}

/** aws-cdk-lib's `StackDependentToken`: a metric's region or account, left out when it is the (known) stack's. */
function ifDifferentFromStack(value: string, stackValue: string): string | undefined {
  return !Token.isUnresolved(stackValue) && stackValue === value ? undefined : value;
}
