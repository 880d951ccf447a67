import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from './errors';
import { ContextKeys } from '../context-keys';
import { CUSTOMER_VALUE_FIELDS } from '../cost-data/customer-value-fields';
import { CostDataError } from '../cost-data/errors';
import { TagKeys, TagKeysProps } from '../tag-keys';

/**
 * `--tag-key FIELD=KEY`: which tag key of the cost data holds a customer-value field, when the data's keys are not the
 * app's (a company's existing keys, another cloud's). The same mapping can be set once in cdk.json, context
 * `customer-value:costDataTagKeys`, so that a team does not repeat it. Flags win over cdk.json, cdk.json over the keys
 * the assembly declares; each field on its own. Only the reading of cost data changes: the declarations are joined
 * through their tag values, whatever key carries them.
 */

/** `--tag-key` FIELD names (the `--by` values) to `TagKeysProps` fields (the customer-value field table). */
const FLAG_FIELDS = new Map<string, keyof TagKeysProps>(CUSTOMER_VALUE_FIELDS.map((f) => [f.grouping, f.tagKeyField]));
/** cdk.json field names: the `TagKeysProps` fields, or the `--tag-key` FIELD names. */
const CONTEXT_FIELDS = new Map<string, keyof TagKeysProps>([...FLAG_FIELDS,
  ...CUSTOMER_VALUE_FIELDS.map((f) => [f.tagKeyField, f.tagKeyField] as const)]);
const FLAG_NAMES = [...FLAG_FIELDS.keys()];

/** The mapping given by `--tag-key` values. */
export function parseTagKeyFlags(values: readonly string[], command: string): Partial<Record<keyof TagKeysProps, string>> {
  const out: Partial<Record<keyof TagKeysProps, string>> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const field = eq > 0 ? v.slice(0, eq) : '';
    const key = eq > 0 ? v.slice(eq + 1) : '';
    const prop = FLAG_FIELDS.get(field);
    if (!prop || key === '') {
      throw new UsageError(`--tag-key is ${JSON.stringify(v)}: expected FIELD=KEY, where FIELD is one of ${FLAG_NAMES.join(', ')} and KEY the `
        + 'tag key of the cost data (e.g. --tag-key business-unit=business_unit)', command);
    }
    if (out[prop] !== undefined && out[prop] !== key) {
      throw new UsageError(`--tag-key ${field} is given twice (${JSON.stringify(out[prop])} and ${JSON.stringify(key)})`, command);
    }
    out[prop] = key;
  }
  return out;
}

/** The mapping in `<cwd>/cdk.json`, context `customer-value:costDataTagKeys` (none when the file or the key is absent). */
export function contextTagKeys(cwd: string): { keys: Partial<Record<keyof TagKeysProps, string>>; where?: string } {
  const file = path.join(cwd, 'cdk.json');
  if (!fs.existsSync(file)) {
    return { keys: {} };
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CostDataError(`cannot read ${file}: ${e instanceof SyntaxError ? 'not JSON' : (e as Error).message.split('\n')[0]}`);
  }
  const value = (json as { context?: Record<string, unknown> })?.context?.[ContextKeys.COST_DATA_TAG_KEYS];
  if (value === undefined) {
    return { keys: {} };
  }
  const where = `${file}, context "${ContextKeys.COST_DATA_TAG_KEYS}"`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CostDataError(`${where} is ${JSON.stringify(value)}: expected an object such as {"businessUnit": "business_unit", "service": "application"}`);
  }
  const keys: Partial<Record<keyof TagKeysProps, string>> = {};
  for (const [field, key] of Object.entries(value as Record<string, unknown>)) {
    const prop = CONTEXT_FIELDS.get(field);
    if (!prop) {
      throw new CostDataError(`${where} has the field ${JSON.stringify(field)}: accepted fields are ${CUSTOMER_VALUE_FIELDS.map((f) => f.tagKeyField).join(', ')} (or business-unit)`);
    }
    if (typeof key !== 'string' || key === '') {
      throw new CostDataError(`${where}: ${field} is ${JSON.stringify(key)}: expected a tag key (a non-empty string)`);
    }
    keys[prop] = key;
  }
  return { keys, where };
}

/** Longest key read (Azure tag names are up to 512 characters, AWS keys 128, Google Cloud labels 63). */
const MAX_READING_KEY = 512;

/**
 * The tag keys a report reads: the assembly's (or the defaults), overridden per field by cdk.json, then by the flags.
 *
 * Only what every schema refuses is checked here: an empty key, a control character, more than 512 characters. Two
 * fields may read one key (a company whose teams are its business units). The rest is the schema's own rule, applied
 * by the source that reads the data:
 * FOCUS `Tags` and Cost Explorer keys are exact strings (`business_unit` and `business-unit` are two keys), while
 * CUR 2.0 turns keys into column names, where those two collide (`curKeyCollisions` in `sources/cur-query.ts`).
 */
export function readingTagKeys(base: TagKeys, fromContext: { keys: Partial<Record<keyof TagKeysProps, string>>; where?: string },
  fromFlags: Partial<Record<keyof TagKeysProps, string>>, command: string): { keys: TagKeys; mapped: string[] } {
  const merged = { ...base.toJson(), ...fromContext.keys, ...fromFlags } as Required<TagKeysProps>;
  const mapped = (Object.keys(merged) as Array<keyof TagKeysProps>)
    .filter((f) => merged[f] !== base.toJson()[f])
    .map((f) => `${f} from "${merged[f]}"${fromFlags[f] !== undefined ? ' (--tag-key)' : ' (cdk.json)'}`);
  const problems: string[] = [];
  for (const [field, key] of Object.entries(merged)) {
    if (/[\u0000-\u001f\u007f-\u009f]/.test(key)) {
      problems.push(`${field} key ${JSON.stringify(key)} holds a control character, which no tag key has`);
    } else if (key.length > MAX_READING_KEY) {
      problems.push(`${field} key is ${key.length} characters long: at most ${MAX_READING_KEY}`);
    }
  }
  if (problems.length > 0) {
    const message = problems.join('; ');
    if (Object.keys(fromFlags).length > 0) {
      throw new UsageError(`--tag-key: ${message}`, command);
    }
    throw new CostDataError(`${fromContext.where ?? 'the tag keys'}: ${message}`);
  }
  return { keys: TagKeys._forReading(merged), mapped };
}

