import { CostGrouping } from './query-terms';
import { TagKeys, TagKeysProps } from '../tag-keys';

/**
 * The five customer-value fields, each named once for every place that names it: the grouping (`CostGrouping`, the
 * CLI's `--by` and `--tag-key FIELD` value), the `TagKeys` field holding its tag key (also the field of a declaration
 * record's `tagKeys`, of cdk.json's `customer-value:costDataTagKeys` and of `CostCategoryNames`), the label and column
 * header of reports, the default AWS cost category name, and the value a resolved declaration holds for it.
 *
 * Internal: the public names stay `CostGrouping` and `TagKeys`; every switch over the fields is a lookup here.
 */
export interface CustomerValueField {
  /** The grouping, which is also the CLI's `--by` and `--tag-key FIELD` value (`business-unit`). */
  readonly grouping: CostGrouping;
  /** The `TagKeys` (and declaration record `tagKeys`, `CostCategoryNames`) field (`businessUnit`). */
  readonly tagKeyField: keyof TagKeysProps & string;
  /** The lower-case label of reports and messages (`business unit`). */
  readonly label: string;
  /** The column header of reports (`Business unit`). */
  readonly header: string;
  /** The default name of its AWS cost category (`customer-value-business-unit`). */
  readonly costCategoryName: string;
  /** The field of a resolved declaration (the billing constructs' `ResolvedService`) holding its tag value. */
  readonly declaredValue: 'serviceName' | 'needTagValue' | 'customerTagValue' | 'team' | 'businessUnit';
}

/** Every customer-value field, in the order of `TagKeys` (the order messages list them in). */
export const CUSTOMER_VALUE_FIELDS: readonly CustomerValueField[] = [
  field(CostGrouping.SERVICE, 'service', 'service', 'serviceName'),
  field(CostGrouping.NEED, 'need', 'customer need', 'needTagValue'),
  field(CostGrouping.CUSTOMER, 'customer', 'customer', 'customerTagValue'),
  field(CostGrouping.TEAM, 'team', 'team', 'team'),
  field(CostGrouping.BUSINESS_UNIT, 'businessUnit', 'business unit', 'businessUnit'),
];

function field(grouping: CostGrouping, tagKeyField: CustomerValueField['tagKeyField'], label: string,
  declaredValue: CustomerValueField['declaredValue']): CustomerValueField {
  return {
    grouping,
    tagKeyField,
    label,
    header: `${label[0].toUpperCase()}${label.slice(1)}`,
    costCategoryName: `customer-value-${grouping}`,
    declaredValue,
  };
}

const BY_GROUPING = new Map<string, CustomerValueField>(CUSTOMER_VALUE_FIELDS.map((f) => [f.grouping, f]));

/** The field of a grouping, or undefined when `grouping` is not a `CostGrouping` value. */
export function findCustomerValueField(grouping: string): CustomerValueField | undefined {
  return BY_GROUPING.get(grouping);
}

/**
 * The field of a grouping; a value that is not a `CostGrouping` throws `"<where>: groupBy is ...: accepted values
 * are ..."`.
 */
export function customerValueField(grouping: CostGrouping, where: string = 'groupBy'): CustomerValueField {
  const f = BY_GROUPING.get(grouping);
  if (!f) {
    throw new Error(`${where}: groupBy is ${JSON.stringify(grouping)}: accepted values are ${Object.values(CostGrouping).join(', ')}`);
  }
  return f;
}

/** The tag key a grouping reads (`CostGrouping.TEAM` reads `keys.team`, ...). */
export function tagKeyOf(grouping: CostGrouping, keys: TagKeys, where?: string): string {
  return keys[customerValueField(grouping, where).tagKeyField];
}
