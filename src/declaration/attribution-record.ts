import { CostAllocationRecord } from './record';

/**
 * The `customer-value:attribution` cloud-assembly metadata: the attribution rules of one rule set (an
 * `AttributionRules` construct), which say where spend without a service tag goes. Written by the construct at synth,
 * read back by the `customer-value` CLI (and the scheduled value review) from `cdk.out` and checked with the same rules
 * (`attribution-record-rules.ts`). The design and the semantics of every field: docs/attribution.md.
 *
 * This file is the single definition of that record, free of aws-cdk-lib. Bump `ATTRIBUTION_METADATA_SCHEMA` on
 * incompatible changes.
 */
export const ATTRIBUTION_METADATA_TYPE = 'customer-value:attribution';
export const ATTRIBUTION_METADATA_SCHEMA = 1;

/**
 * The AWS-generated cost allocation tag CloudFormation puts on the resources of a stack it creates. Its key is
 * `aws:cloudformation:stack-name` in the API (`UpdateCostAllocationTagsStatus`), Cost Explorer and cost categories;
 * see docs/attribution.md for how it is spelled in CUR 2.0 and FOCUS.
 */
export const STACK_NAME_TAG_KEY = 'aws:cloudformation:stack-name';

/** What a rule matches. */
export type AttributionRuleKind = 'accounts' | 'stacks' | 'declared-stacks' | 'charges' | 'resources';
export const ATTRIBUTION_RULE_KINDS: readonly AttributionRuleKind[] = ['accounts', 'stacks', 'declared-stacks', 'charges', 'resources'];

/** Where a rule sends what it matches. */
export type AttributionTargetKind = 'service' | 'services' | 'business-unit' | 'everyone' | 'stack-services';
export const ATTRIBUTION_TARGET_KINDS: readonly AttributionTargetKind[] = ['service', 'services', 'business-unit', 'everyone', 'stack-services'];

/**
 * The criteria of a rule. Within a field, any value matches (OR); across fields, every field given must match (AND).
 * Fields holding patterns take `*` for any run of characters (docs/attribution.md, "Patterns").
 */
export interface AttributionMatchRecord {
  /** `accounts`: AWS account ids (12 digits) or FOCUS sub-account ids, exact. */
  readonly accounts?: string[];
  /** `stacks`: CloudFormation stack names (patterns), the value of `aws:cloudformation:stack-name`. */
  readonly stacks?: string[];
  /** `charges`: names of the library's charge types (`ChargeType.name`, e.g. `tax`). */
  readonly chargeTypes?: string[];
  /** `charges`: product / service codes (patterns), e.g. `AmazonEC2`. */
  readonly serviceCodes?: string[];
  /** `charges`: usage types (patterns), e.g. `*DataTransfer-Out-Bytes`. */
  readonly usageTypes?: string[];
  /** `resources`: resource ids or ARNs (patterns). */
  readonly resources?: string[];
}

/** Where the spend a rule matches goes, and how it is split. */
export interface AttributionTargetRecord {
  readonly kind: AttributionTargetKind;
  /** `service`: the one service; `services`: the services it is split over. */
  readonly services?: string[];
  /** `business-unit`: the business unit whose services share it. */
  readonly businessUnit?: string;
  /** How it is split among several services (every kind but `service`). */
  readonly allocation?: CostAllocationRecord;
}

export interface AttributionRuleRecord {
  /** Unique in the rule set; names the rule in reports and warnings. */
  readonly name: string;
  readonly kind: AttributionRuleKind;
  readonly match: AttributionMatchRecord;
  readonly target: AttributionTargetRecord;
}

export interface AttributionRulesRecord {
  readonly schemaVersion: number;
  /** The rule set's name: unique across the assemblies read. */
  readonly ruleSet: string;
  /** Rule sets are evaluated by ascending precedence, then by name; a set's rules in declaration order. */
  readonly precedence: number;
  /** The rules, in the order they are evaluated: the first that matches a line item attributes it. */
  readonly rules: AttributionRuleRecord[];
  /** Construct path of the rule set. */
  readonly constructPath: string;
  /** The stack the rule set is declared in. */
  readonly stackName: string;
}

/**
 * The attribution rule sets `ValueReviewReports` ships to its function next to the services (`ShippedDeclarations`),
 * as their `customer-value:attribution` records: the packs apply them as the CLI does (docs/attribution.md).
 */
export interface ShippedRuleSets {
  /** @default - none (a file shipped before the rules travelled with it) */
  readonly ruleSets?: AttributionRulesRecord[];
}
