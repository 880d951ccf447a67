import { IConstruct } from 'constructs';
import { ContextKeys } from './context-keys';
import { describe as describeValue } from './private/describe';
import { curColumnCollisions, curMapKey, TAG_KEY_PATTERN } from './private/tag-safe';

const TAG_KEYS_CONTEXT = ContextKeys.TAG_KEYS;

/**
 * Tag key names for the customer-value tags.
 */
export interface TagKeysProps {
  /**
   * Key of the tag holding the service name.
   * @default "customer-service"
   */
  readonly service?: string;
  /**
   * Key of the tag holding the (tag-safe form of the) customer need.
   * @default "customer-need"
   */
  readonly need?: string;
  /**
   * Key of the tag holding the customer (`external:<name>` or `internal:<name>`).
   * @default "customer"
   */
  readonly customer?: string;
  /**
   * Key of the tag holding the owning team.
   * @default "team"
   */
  readonly team?: string;
  /**
   * Key of the tag holding the business unit.
   * @default "business-unit"
   */
  readonly businessUnit?: string;
}

const APP_KEYS = new WeakMap<IConstruct, TagKeys>();
/** The fields of `TagKeysProps`. */
const FIELDS = ['service', 'need', 'customer', 'team', 'businessUnit'];

/**
 * The five tag keys every customer service carries, in one place.
 *
 * Every consumer reads the keys from here: tagging, budget filters, anomaly monitor specifications,
 * cost-category rules, the SQL run over CUR 2.0 (where a key becomes a `resource_tags` map key, see
 * `TagKeys.curMapKey`) and the `customer-value` CLI (through the cloud-assembly metadata).
 *
 * An organisation renames the keys once per app, either in context
 * (`"customer-value:tagKeys": { "team": "owner-team" }` in cdk.json) or with `TagKeys.useForApp(app, keys)`.
 */
export class TagKeys {
  /**
   * The default keys: `customer-service`, `customer-need`, `customer`, `team`, `business-unit`.
   */
  public static readonly DEFAULT = new TagKeys({});

  /**
   * Custom key names. Keys not given keep their default.
   *
   * Keys must be 1-128 characters of ASCII letters, digits, space and `_ . : / = + -`, must not start
   * with `aws:` and must be distinct, also once normalised to CUR 2.0 column names.
   */
  public static custom(props: TagKeysProps): TagKeys {
    const keys = new TagKeys(props);
    const problems = keys._problems();
    if (problems.length > 0) {
      // a value object made outside any construct (no scope to report with): refused where it is made, in the format
      // of the synth problems ("TagKeys.custom: team key is "aws:team": the aws: prefix is reserved by AWS")
      throw new Error(`TagKeys.custom: ${problems.join('; ')}`);
    }
    return keys;
  }

  /**
   * Use these keys for every customer service in the app (or stage) that `scope` belongs to.
   *
   * Call it before declaring services. Throws if the app already uses different keys.
   */
  public static useForApp(scope: IConstruct, keys: TagKeys): void {
    const root = scope.node.root;
    const existing = APP_KEYS.get(root);
    if (existing && !existing.sameAs(keys)) {
      // refused at once, where the second call is: the app has no stack to carry an error annotation under the cdk CLI
      throw new Error(`TagKeys.useForApp: this app already uses the tag keys ${existing.describe()}; tag keys are set once per app, got ${keys.describe()}`);
    }
    APP_KEYS.set(root, keys);
  }

  /**
   * The tag keys in effect for the app that `scope` belongs to.
   *
   * In order: keys given to `TagKeys.useForApp`, the `customer-value:tagKeys` context, the defaults.
   */
  public static of(scope: IConstruct): TagKeys {
    const { keys, problems } = appTagKeys(scope);
    if (problems.length > 0) {
      // a direct call (the library's constructs read the keys with resolveTagKeys, which reports the same problem at
      // synth with the construct's path): there is no construct of the caller's to report it with
      throw new Error(problems.join('; '));
    }
    return keys;
  }

  /**
   * Keys that read cost data, never tag anything (the CLI's `--tag-key`): built without the tagging rules, as each
   * schema has its own (FOCUS and Cost Explorer keys are exact strings; CUR 2.0 normalises keys into column names),
   * which the source that reads the data applies.
   * @internal
   */
  public static _forReading(props: TagKeysProps): TagKeys {
    return new TagKeys(props);
  }

  /**
   * The `resource_tags` map key under which CUR 2.0 (and Athena over it) exposes a user tag key.
   *
   * CUR turns a user tag key into a column name by putting `_` before each upper-case letter,
   * lower-casing, replacing every other non-alphanumeric character with `_`, collapsing repeated `_`
   * and trimming them, then prefixing `user_`: `customer-service` becomes `user_customer_service`.
   *
   * @see https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-resource-tags.html
   */
  public static curMapKey(tagKey: string): string {
    return curMapKey(tagKey);
  }

  /** Key of the tag holding the service name. */
  public readonly service: string;
  /** Key of the tag holding the customer need. */
  public readonly need: string;
  /** Key of the tag holding the customer. */
  public readonly customer: string;
  /** Key of the tag holding the owning team. */
  public readonly team: string;
  /** Key of the tag holding the business unit. */
  public readonly businessUnit: string;

  private constructor(props: TagKeysProps) {
    this.service = props.service ?? 'customer-service';
    this.need = props.need ?? 'customer-need';
    this.customer = props.customer ?? 'customer';
    this.team = props.team ?? 'team';
    this.businessUnit = props.businessUnit ?? 'business-unit';
  }

  /**
   * The five keys, in the order service, need, customer, team, business unit.
   */
  public all(): string[] {
    return [this.service, this.need, this.customer, this.team, this.businessUnit];
  }

  /**
   * Whether two sets of keys are the same.
   */
  public sameAs(other: TagKeys): boolean {
    return this.all().every((k, i) => k === other.all()[i]);
  }

  /**
   * The keys as an object (`{ service, need, customer, team, businessUnit }`), for metadata and reports.
   */
  public toJson(): TagKeysProps {
    return { service: this.service, need: this.need, customer: this.customer, team: this.team, businessUnit: this.businessUnit };
  }

  private describe(): string {
    return JSON.stringify(this.toJson());
  }

  /**
   * The problems with the keys (tagging rules), each naming the field.
   * @internal
   */
  public _problems(): string[] {
    const out: string[] = [];
    const fields = this.toJson() as Record<string, string>;
    for (const [field, key] of Object.entries(fields)) {
      if (typeof key !== 'string' || key.length < 1 || key.length > 128 || !TAG_KEY_PATTERN.test(key)) {
        out.push(`${field} key is ${JSON.stringify(key)}: a tag key is 1-128 ASCII letters, digits, spaces and _ . : / = + -`);
      } else if (key.toLowerCase().startsWith('aws:')) {
        out.push(`${field} key is ${JSON.stringify(key)}: the aws: prefix is reserved by AWS`);
      } else if (key !== key.trim()) {
        out.push(`${field} key is ${JSON.stringify(key)}: no leading or trailing spaces (AWS trims them)`);
      }
    }
    if (out.length > 0) {
      return out;
    }
    out.push(...curColumnCollisions(fields));
    return out;
  }
}

/**
 * The keys in effect for the app of `scope` (`TagKeys.useForApp`, the `customer-value:tagKeys` context, the defaults),
 * with the problems of a context that cannot be read (then the defaults).
 */
function appTagKeys(scope: IConstruct): { keys: TagKeys; problems: string[] } {
  const root = scope.node.root;
  const set = APP_KEYS.get(root);
  if (set) {
    return { keys: set, problems: [] };
  }
  const ctx = root.node.tryGetContext(TAG_KEYS_CONTEXT);
  if (ctx === undefined || ctx === null) {
    return { keys: TagKeys.DEFAULT, problems: [] };
  }
  const refused = (problem: string) => ({ keys: TagKeys.DEFAULT, problems: [problem] });
  const expected = `expected an object such as {"team":"owner-team"} with any of the fields ${FIELDS.join(', ')}`;
  let parsed: unknown = ctx;
  if (typeof ctx === 'string') {
    try {
      parsed = JSON.parse(ctx);
    } catch {
      return refused(`context "${TAG_KEYS_CONTEXT}" is ${JSON.stringify(ctx)}: ${expected}`);
    }
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed) || parsed === null) {
    return refused(`context "${TAG_KEYS_CONTEXT}" is ${JSON.stringify(ctx)}: ${expected}`);
  }
  const unknown = Object.keys(parsed).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) {
    return refused(`context "${TAG_KEYS_CONTEXT}" has unknown field(s) ${unknown.join(', ')}: accepted fields are ${FIELDS.join(', ')}`);
  }
  const keys = TagKeys._forReading(parsed as TagKeysProps);
  const problems = keys._problems();
  return problems.length > 0 ? refused(`context "${TAG_KEYS_CONTEXT}": ${problems.join('; ')}`) : { keys, problems: [] };
}

/**
 * The tag keys a construct of the library works with, and the problems to report with its own at synth (never
 * thrown): `given` (the construct's `tagKeys` prop) when set, else the app's keys. A bad context is a problem of every
 * construct that reads it, each with its path.
 */
export function resolveTagKeys(scope: IConstruct, given?: unknown): { keys: TagKeys; problems: string[] } {
  const app = appTagKeys(scope);
  if (given === undefined) {
    return app;
  }
  if (!(given instanceof TagKeys)) {
    return { keys: app.keys, problems: [...app.problems, `tagKeys is ${describeValue(given)}: pass TagKeys.custom({...}) or TagKeys.DEFAULT`] };
  }
  return { keys: given, problems: app.problems };
}
