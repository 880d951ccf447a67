import { IResolvable, IResolveContext, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';

/*
 * The dashboards of cost reporting render their body with much less work than aws-cdk-lib's `Dashboard`, into the same
 * template value.
 *
 * aws-cdk-lib renders a dashboard body three times per synthesis (cross-stack reference discovery, the template,
 * tree.json), each time by resolving the whole widget JSON as a CloudFormation value (`Stack.toJsonString`): every
 * object, key and string of tens of kilobytes of JSON goes through the token resolver, although only a few values
 * hold tokens (a resource name in a metric's dimensions, an alarm's ARN, the region of a stack without an env). At
 * 500 services that was the largest single cost of cost reporting at synthesis (issue 22, bench/RESULTS.md).
 *
 * Here the body's JSON is compiled once into literal JSON text and the few values that hold tokens; each rendering
 * resolves only those values, each with `Stack.toJsonString` (aws-cdk-lib's own JSON rendering of a value, so a
 * reference becomes the same `Ref` / `Fn::GetAtt` / `Fn::ImportValue`, a literal produced by a token is escaped the same
 * way), in the rendering's context (the first rendering records cross-stack references exactly as before, which is why
 * the resolved body itself is never cached), and joins the pieces into the same `Fn::Join` aws-cdk-lib would write.
 */

/**
 * A compiled JSON value: literal JSON text, a value holding tokens, or an array or object some of whose members hold
 * tokens (rendered member by member, since a token can resolve to nothing and its member then goes, as in aws-cdk-lib).
 */
export type Compiled = string | StringToken | OtherToken | Members | Concat;

/**
 * Compiled values written one after the other, none of which can render to nothing (literal text, a metric line, the
 * region of a graph): what a widget that writes its own JSON gives (`PrecompiledJson`).
 */
interface Concat {
  readonly kind: 'concat';
  readonly parts: readonly Compiled[];
}

/**
 * A widget's JSON compiled by the widget itself for `stack` (widget-json.ts), so the dashboard body does not compile it
 * again. Anything else that resolves it (a plain `cloudwatch.Dashboard`) gets the plain JSON value.
 */
export class PrecompiledJson implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(public readonly stack: Stack, public readonly compiled: Compiled, private readonly plain: () => unknown) {}

  public resolve(): unknown {
    return this.plain();
  }

  public toString(): string {
    return Token.asString(this);
  }
}

/** A string holding tokens: resolved in each context and written as aws-cdk-lib writes a string in JSON. */
interface StringToken {
  readonly kind: 'string';
  readonly value: string;
  /**
   * `Stack.toJsonString(value)`, for what `renderString` cannot write itself: made on first use (rare; making it for
   * every string would cost as much as the rendering it saves).
   */
  json?: string;
  readonly stack: Stack;
}

/** Any other value holding tokens: `Stack.toJsonString(value)`, aws-cdk-lib's own JSON rendering in each context. */
interface OtherToken {
  readonly kind: 'token';
  readonly json: string;
}

interface Members {
  readonly kind: 'members';
  readonly open: '[' | '{';
  readonly close: ']' | '}';
  /** `"key":` for an object member, empty for an array element. */
  readonly items: ReadonlyArray<{ readonly key: string; readonly value: Compiled }>;
  /**
   * aws-cdk-lib's CloudWatch metric arrays (`DropEmptyObjectAtTheEndOfAnArray`): the last element is left out when it is
   * an empty object or array once resolved.
   */
  readonly dropEmptyLast: boolean;
}

/**
 * Tokens aws-cdk-lib's CloudWatch module puts in every metric line of a graph, recognised to be compiled rather than
 * resolved whole (by name: they are private classes; an aws-cdk-lib that renames them gets the general path, slower but
 * the same JSON):
 *
 * - `DropEmptyObjectAtTheEndOfAnArray` wraps each metric array (`[namespace, name, dims..., {options}]`) and drops the
 *   options object when it resolves empty;
 * - `StackDependentToken` (`regionIfDifferentFromStack`, `accountIfDifferentFromStack`) is a metric's region or account,
 *   undefined when it is the stack's: it depends only on the stack of the context's scope, the dashboard's.
 */
function cloudWatchToken(token: unknown): 'drop-empty-last' | 'stack-dependent' | undefined {
  const t = token as { constructor?: { name?: string }; value?: unknown; postProcess?: unknown; originalValue?: unknown; fn?: unknown };
  const name = t?.constructor?.name;
  if (name === 'DropEmptyObjectAtTheEndOfAnArray' && Array.isArray(t.value) && typeof t.postProcess === 'function') {
    return 'drop-empty-last';
  }
  if (name === 'StackDependentToken' && typeof t.fn === 'function' && 'originalValue' in t) {
    return 'stack-dependent';
  }
  return undefined;
}

/** Nothing: a member whose value is undefined (left out, as aws-cdk-lib leaves it out). */
const NOTHING = Symbol('nothing');

/**
 * Compiles a JSON value for rendering in `stack`: what holds no token becomes JSON text (as `JSON.stringify` writes it,
 * which is what aws-cdk-lib writes for a literal), what holds one is kept to be resolved in each rendering. Like
 * aws-cdk-lib's resolution, undefined members and array elements are left out.
 */
export function compileJson(stack: Stack, value: unknown): Compiled | typeof NOTHING {
  if (value === undefined) {
    return NOTHING;
  }
  if (Tokenization.isResolvable(value)) {
    return compileToken(stack, value, value);
  }
  if (typeof value === 'string' || typeof value === 'number') {
    if (!Token.isUnresolved(value)) {
      return JSON.stringify(value);
    }
    const token = typeof value === 'string' ? Tokenization.reverse(value, { failConcat: false }) : undefined;
    if (token && cloudWatchToken(token)) {
      return compileToken(stack, token, value);
    }
    return typeof value === 'string'
      ? { kind: 'string', value, stack }
      : { kind: 'token', json: stack.toJsonString(value) };
  }
  if (Array.isArray(value)) {
    if (value.some((x) => typeof x === 'string' && Token.isUnresolved([x]))) {
      // a list token: aws-cdk-lib resolves the whole array
      return { kind: 'token', json: stack.toJsonString(value) };
    }
    return members(stack, '[', ']', value.map((x) => ['', x] as const), false);
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    if (Object.keys(value).some((k) => Token.isUnresolved(k))) {
      return { kind: 'token', json: stack.toJsonString(value) };
    }
    return members(stack, '{', '}', Object.entries(value).map(([k, x]) => [`${JSON.stringify(k)}:`, x] as const), false);
  }
  return JSON.stringify(value);
}

function compileToken(stack: Stack, token: IResolvable, value: unknown): Compiled | typeof NOTHING {
  const t = token as unknown as { value: unknown[]; originalValue: unknown; fn: (s: Stack) => unknown };
  switch (cloudWatchToken(token)) {
    case 'drop-empty-last':
      return members(stack, '[', ']', t.value.map((x) => ['', x] as const), true);
    case 'stack-dependent': {
      // StackDependentToken.resolve: undefined when the stack's value is known and the same, else the original value
      const stackValue = t.fn(stack);
      return !Token.isUnresolved(stackValue) && stackValue === t.originalValue ? NOTHING : compileJson(stack, t.originalValue);
    }
    default:
      return { kind: 'token', json: stack.toJsonString(value) };
  }
}

function members(stack: Stack, open: '[' | '{', close: ']' | '}', entries: ReadonlyArray<readonly [string, unknown]>, dropEmptyLast: boolean): Compiled {
  const items: Array<{ key: string; value: Compiled }> = [];
  for (const [key, x] of entries) {
    const value = compileJson(stack, x);
    if (value !== NOTHING) {
      items.push({ key, value });
    }
  }
  const last = items[items.length - 1];
  if (dropEmptyLast && last && (last.value === '{}' || last.value === '[]')) {
    items.pop();
  }
  if (items.every((i) => typeof i.value === 'string')) {
    return `${open}${items.map((i) => `${i.key}${i.value}`).join(',')}${close}`;
  }
  return { kind: 'members', open, close, items, dropEmptyLast };
}

/** The parts of a JSON string being rendered: literal text and CloudFormation intrinsics, joined as aws-cdk-lib joins them. */
class Parts {
  public readonly list: unknown[] = [];

  /** Adds literal text or a resolved value (a `Fn::Join` with an empty delimiter is spliced in, as aws-cdk-lib does). */
  public push(part: unknown): void {
    if (isJoin(part)) {
      for (const p of part['Fn::Join'][1]) {
        this.push(p);
      }
    } else if (typeof part === 'string' && typeof this.list[this.list.length - 1] === 'string') {
      this.list[this.list.length - 1] += part;
    } else {
      this.list.push(part);
    }
  }

  /** The rendered JSON: a string when it holds no intrinsic, else `Fn::Join`. */
  public value(): unknown {
    return this.list.length === 1 && typeof this.list[0] === 'string' ? this.list[0] : { 'Fn::Join': ['', this.list] };
  }
}

/**
 * Renders a compiled value in a context into `out`. Returns false when it rendered nothing (a token that resolved to
 * undefined), and whether it is empty (`{}` or `[]`, for `dropEmptyLast`).
 */
/**
 * One rendering's resolver: `context.resolve`, once per distinct value. A body repeats the same few values (the region
 * of every graph, a resource named by several metrics): a dashboard of ten services holds ~190 of them, ~70 distinct.
 * Within one rendering the context is the same, so the same value resolves the same (and the first rendering records
 * the same references).
 */
class Resolver {
  private readonly seen = new Map<string, unknown>();
  constructor(private readonly context: IResolveContext) {}

  public resolve(value: string): unknown {
    if (this.seen.has(value)) {
      return this.seen.get(value);
    }
    const r = this.context.resolve(value);
    this.seen.set(value, r);
    return r;
  }
}

function render(c: Compiled, context: Resolver, out: Parts): { rendered: boolean; empty: boolean } {
  if (typeof c === 'string') {
    out.push(c);
    return { rendered: true, empty: c === '{}' || c === '[]' };
  }
  if (c.kind === 'string') {
    return renderString(c, context, out);
  }
  if (c.kind === 'concat') {
    for (const part of c.parts) {
      render(part, context, out);
    }
    return { rendered: true, empty: false };
  }
  if (c.kind === 'token') {
    const r = context.resolve(c.json);
    if (r === undefined) {
      return { rendered: false, empty: false };
    }
    out.push(r);
    return { rendered: true, empty: r === '{}' || r === '[]' };
  }
  const rendered: Parts[] = [];
  let lastEmpty = false;
  for (const item of c.items) {
    const part = new Parts();
    part.push(item.key);
    const r = render(item.value, context, part);
    if (r.rendered) {
      rendered.push(part);
      lastEmpty = r.empty;
    }
  }
  if (c.dropEmptyLast && lastEmpty) {
    rendered.pop();
  }
  out.push(c.open);
  rendered.forEach((part, i) => {
    if (i > 0) {
      out.push(',');
    }
    for (const p of part.list) {
      out.push(p);
    }
  });
  out.push(c.close);
  return { rendered: true, empty: rendered.length === 0 };
}

/** Resolves every value of `c` that holds a token, as `render` resolves it, writing nothing. */
function meet(c: Compiled | typeof NOTHING, context: Resolver): void {
  if (c === NOTHING || typeof c === 'string') {
    return;
  }
  if (c.kind === 'string') {
    const r = context.resolve(c.value);
    if (typeof r !== 'string' && !isIntrinsic(r)) {
      c.json ??= c.stack.toJsonString(c.value);
      context.resolve(c.json);
    }
    return;
  }
  if (c.kind === 'token') {
    context.resolve(c.json);
    return;
  }
  if (c.kind === 'concat') {
    for (const part of c.parts) {
      meet(part, context);
    }
    return;
  }
  for (const item of c.items) {
    meet(item.value, context);
  }
}

/**
 * A string holding tokens, as aws-cdk-lib's `tokenAwareStringify` writes it: resolved (a string resolves to a string or,
 * joined with references, to an intrinsic tagged as a string), then a literal is written as JSON and an intrinsic
 * between quotes with the string literals inside it escaped for JSON. Anything else takes aws-cdk-lib's own path.
 */
function renderString(c: StringToken, context: Resolver, out: Parts): { rendered: boolean; empty: boolean } {
  const r = context.resolve(c.value);
  if (typeof r === 'string') {
    out.push(JSON.stringify(r));
    return { rendered: true, empty: false };
  }
  if (isIntrinsic(r)) {
    out.push('"');
    out.push(deepQuoteStringLiterals(r));
    out.push('"');
    return { rendered: true, empty: false };
  }
  c.json ??= c.stack.toJsonString(c.value);
  const json = context.resolve(c.json);
  if (json === undefined) {
    return { rendered: false, empty: false };
  }
  out.push(json);
  return { rendered: true, empty: json === '{}' || json === '[]' };
}

/** A CloudFormation intrinsic, as aws-cdk-lib tells one (`{"Ref": ...}` or one `Fn::` key other than two pipeline ones). */
function isIntrinsic(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) {
    return false;
  }
  const keys = Object.keys(x);
  return keys.length === 1 && (keys[0] === 'Ref' || (keys[0].startsWith('Fn::') && keys[0] !== 'Fn::GetArtifactAtt' && keys[0] !== 'Fn::GetParam'));
}

/** Every string inside an intrinsic, keys included, escaped for a JSON string (aws-cdk-lib's `deepQuoteStringLiterals`). */
function deepQuoteStringLiterals(x: unknown): unknown {
  if (Array.isArray(x)) {
    return x.map(deepQuoteStringLiterals);
  }
  if (x !== null && typeof x === 'object') {
    const ret: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      ret[deepQuoteStringLiterals(k) as string] = deepQuoteStringLiterals(v);
    }
    return ret;
  }
  if (typeof x === 'string') {
    const quoted = JSON.stringify(x);
    return quoted.substring(1, quoted.length - 1);
  }
  return x;
}

function isJoin(x: unknown): x is { 'Fn::Join': [string, unknown[]] } {
  if (!isIntrinsic(x)) {
    return false;
  }
  const join = x['Fn::Join'];
  return Array.isArray(join) && join[0] === '' && Array.isArray(join[1]);
}

/** Props of `ReportingDashboard`: what `createDashboard` sets. */
export interface ReportingDashboardProps {
  readonly dashboardName: string;
  readonly defaultInterval: cloudwatch.DashboardProps['defaultInterval'];
  readonly periodOverride: cloudwatch.PeriodOverride;
}

/**
 * A `cloudwatch.Dashboard` whose body is compiled (see the top of this file). Widgets and variables added to it, the
 * library's and the user's (`service.costReporting.dashboard.addWidgets(...)`), are laid out as `Dashboard` lays them
 * out: one row per `addWidgets` call, rows one below the other.
 */
export class ReportingDashboard extends cloudwatch.Dashboard {
  private readonly bodyRows: cloudwatch.IWidget[] = [];
  private readonly bodyVariables: cloudwatch.IVariable[] = [];
  private readonly head: string;
  /** Each widget's compiled JSON, by the JSON object the widget returned (widgets that cache their JSON are compiled once). */
  private readonly compiled = new WeakMap<object, Compiled | typeof NOTHING>();
  /** The last body rendered outside reference discovery, and the scope it was rendered for (see `resolveBody`). */
  private lastRendering?: { readonly scope: IConstruct; readonly body: unknown };

  constructor(scope: Construct, id: string, props: ReportingDashboardProps) {
    // no widgets or variables through the props: the base class would add them before this class's fields exist
    super(scope, id, props);
    const stack = Stack.of(this);
    // the members Dashboard writes before the widgets (start and end, or neither; periodOverride), none of them tokens
    const head = compileJson(stack, {
      start: props.defaultInterval ? `-${props.defaultInterval.toIsoString()}` : undefined,
      periodOverride: props.periodOverride,
    });
    if (typeof head !== 'string') {
      throw new Error('the dashboard\'s interval and period override must be known at synth');
    }
    this.head = `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"widgets":[`;
    const body: IResolvable = {
      creationStack: [],
      resolve: (context) => this.resolveBody(context),
      toString: () => Token.asString(body),
    };
    (this.node.defaultChild as cloudwatch.CfnDashboard).dashboardBody = Token.asString(body);
  }

  public addWidgets(...widgets: cloudwatch.IWidget[]): void {
    super.addWidgets(...widgets);
    this.lastRendering = undefined;
    if (widgets.length > 0) {
      this.bodyRows.push(widgets.length > 1 ? new cloudwatch.Row(...widgets) : widgets[0]);
    }
  }

  public addVariable(variable: cloudwatch.IVariable): void {
    super.addVariable(variable);
    this.lastRendering = undefined;
    this.bodyVariables.push(variable);
  }

  /**
   * The body in `context`. aws-cdk-lib renders it three times per synthesis: reference discovery (`preparing`, with a
   * resolver that records the tokens it meets, so that cross-stack references are found), then the template and
   * tree.json, both resolved by the stack (`Stack.resolve`: the same scope, resolver and references, with nothing in
   * between that can change them). So a rendering outside reference discovery is kept and given again to the next one
   * for the same scope. Reference discovery keeps only the tokens its resolver meets, not the value: it gets every
   * token of the body resolved, as a rendering would resolve them, and no body (`meetTokens`); it drops what was kept,
   * as does adding widgets or variables. aws-cdk-lib resolves a token's value again after the token returns it,
   * copying it, so the kept value is never changed by those who receive it.
   */
  private resolveBody(context: IResolveContext): unknown {
    if (context.preparing) {
      this.lastRendering = undefined;
      return this.meetTokens(context);
    }
    if (this.lastRendering?.scope === context.scope) {
      return this.lastRendering.body;
    }
    const body = this.render(context);
    this.lastRendering = { scope: context.scope, body };
    return body;
  }

  /** The body, as `Dashboard` writes it (the same members in the same order). */
  private render(context: IResolveContext): unknown {
    const out = new Parts();
    const resolver = new Resolver(context);
    out.push(this.head);
    const { widgets, variables } = this.compiledBody();
    widgets.forEach((compiled, i) => {
      out.push(i === 0 ? '' : ',');
      render(compiled, resolver, out);
    });
    out.push(']');
    if (this.bodyVariables.length > 0) {
      out.push(',"variables":');
      if (variables !== NOTHING) {
        render(variables, resolver, out);
      }
    }
    out.push('}');
    return out.value();
  }

  /**
   * Reference discovery's rendering: aws-cdk-lib keeps only the tokens its resolver meets (it records the references
   * they make; the value itself is dropped), so every value that holds a token is resolved, exactly as `render` resolves
   * it, and nothing is written.
   */
  private meetTokens(context: IResolveContext): unknown {
    const resolver = new Resolver(context);
    const { widgets, variables } = this.compiledBody();
    for (const compiled of widgets) {
      meet(compiled, resolver);
    }
    meet(variables, resolver);
    return '';
  }

  /** The widgets laid out and compiled (each widget's JSON once), and the variables. */
  private compiledBody(): { widgets: Compiled[]; variables: Compiled | typeof NOTHING } {
    const stack = Stack.of(this);
    const column = new cloudwatch.Column(...this.bodyRows);
    column.position(0, 0);
    const widgets: Compiled[] = [];
    for (const json of column.toJson()) {
      const compiled = this.compileOnce(stack, json);
      if (compiled !== NOTHING) {
        widgets.push(compiled);
      }
    }
    const variables = this.bodyVariables.length > 0 ? compileJson(stack, this.bodyVariables.map((v) => v.toJson())) : NOTHING;
    return { widgets, variables };
  }

  private compileOnce(stack: Stack, json: unknown): Compiled | typeof NOTHING {
    if (json instanceof PrecompiledJson && json.stack === stack) {
      return json.compiled;
    }
    if (json === null || typeof json !== 'object') {
      return compileJson(stack, json);
    }
    let compiled = this.compiled.get(json);
    if (compiled === undefined) {
      compiled = compileJson(stack, json);
      this.compiled.set(json, compiled);
    }
    return compiled;
  }
}
