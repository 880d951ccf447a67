import * as fs from 'fs';
import * as path from 'path';
import { CloudAssemblyBuilder } from 'aws-cdk-lib/cx-api';
import { benchServiceRecord } from './value-chain';
import { SERVICES } from '../scripts/generate-cur';
import { ATTRIBUTION_METADATA_SCHEMA, ATTRIBUTION_METADATA_TYPE, AttributionRuleRecord, AttributionRulesRecord } from '../src/declaration/attribution-record';
import { SERVICE_METADATA_TYPE } from '../src/declaration/record';

/**
 * A cloud assembly for the attribution benchmark (issue 23): the services of the generated CUR
 * (scripts/generate-cur.ts) in two stacks, ShopStack (wishlist, checkout, product-search) and PlatformStack
 * (private-network, data-platform, reports), the stacks `--untagged-mix` puts on part of the untagged usage
 * (scripts/lib/export-writer.ts, UNTAGGED_MIX), and one rule set of 20 rules of every kind (docs/attribution.md):
 * declared stacks, stack patterns, charge types (tax, support, credit, Savings Plan and RI fees, data transfer),
 * product codes, usage types, resource ARN patterns and accounts, with every kind of target (a service, services
 * with proportional / even / fixed splits, a business unit, everyone, the stack's services).
 *
 * The records are written as the constructs write them (`customer-value:service`, `customer-value:attribution`) and
 * the CLI reads them back with the same checks as any assembly.
 */
const STACKS: Record<string, string> = {
  'wishlist': 'ShopStack',
  'checkout': 'ShopStack',
  'product-search': 'ShopStack',
  'private-network': 'PlatformStack',
  'data-platform': 'PlatformStack',
  'reports': 'PlatformStack',
};

const rule = (name: string, kind: AttributionRuleRecord['kind'], match: AttributionRuleRecord['match'],
  target: AttributionRuleRecord['target']): AttributionRuleRecord => ({ name, kind, match, target });

/** The 20 rules, in evaluation order (first match wins). */
export const BENCH_RULES: AttributionRuleRecord[] = [
  rule('cdk-stacks', 'declared-stacks', {}, { kind: 'stack-services', allocation: { method: 'proportional' } }),
  rule('legacy-batch', 'stacks', { stacks: ['legacy-batch-*'] }, { kind: 'service', services: ['reports'] }),
  rule('sandboxes', 'stacks', { stacks: ['sandbox-*'] }, { kind: 'business-unit', businessUnit: 'retail', allocation: { method: 'even' } }),
  rule('tax', 'charges', { chargeTypes: ['tax'] }, { kind: 'everyone', allocation: { method: 'proportional' } }),
  rule('support', 'charges', { chargeTypes: ['support'] }, { kind: 'everyone', allocation: { method: 'even' } }),
  rule('credits', 'charges', { chargeTypes: ['credit'] }, { kind: 'everyone', allocation: { method: 'proportional' } }),
  rule('savings-plan-fee', 'charges', { chargeTypes: ['savings-plan-recurring-fee'] },
    { kind: 'services', services: ['checkout', 'product-search', 'data-platform'], allocation: { method: 'proportional' } }),
  rule('ri-fee', 'charges', { chargeTypes: ['reserved-instance-fee'] }, { kind: 'service', services: ['checkout'] }),
  rule('savings-plans', 'charges', { serviceCodes: ['ComputeSavingsPlans'] }, { kind: 'everyone', allocation: { method: 'proportional' } }),
  rule('data-transfer', 'charges', { chargeTypes: ['data-transfer'] }, { kind: 'service', services: ['private-network'] }),
  rule('shared-nat', 'resources', { resources: ['arn:aws:ec2:*:natgateway/nat-0shared*'] }, { kind: 'service', services: ['private-network'] }),
  rule('legacy-load-balancer', 'resources', { resources: ['*:loadbalancer/app/legacy-shop*'] },
    { kind: 'services', services: ['checkout', 'wishlist'], allocation: { method: 'fixed', percentages: { checkout: 70, wishlist: 30 } } }),
  rule('legacy-volumes', 'resources', { resources: ['*:volume/vol-0legacy*'] }, { kind: 'business-unit', businessUnit: 'technology', allocation: { method: 'proportional' } }),
  rule('monitoring', 'charges', { serviceCodes: ['AmazonCloudWatch'] }, { kind: 'everyone', allocation: { method: 'even' } }),
  rule('bastion', 'charges', { serviceCodes: ['AmazonEC2'], usageTypes: ['*BoxUsage:t4g*'] }, { kind: 'service', services: ['private-network'] }),
  rule('search-domain', 'charges', { serviceCodes: ['AmazonES'], usageTypes: ['*ESInstance*'] }, { kind: 'service', services: ['product-search'] }),
  rule('retail-account', 'accounts', { accounts: ['111111111111'] }, { kind: 'business-unit', businessUnit: 'retail', allocation: { method: 'proportional' } }),
  rule('orders-account', 'accounts', { accounts: ['222222222222'] },
    { kind: 'services', services: ['checkout', 'private-network'], allocation: { method: 'even' } }),
  rule('data-account', 'accounts', { accounts: ['333333333333'] },
    { kind: 'services', services: ['data-platform', 'reports'], allocation: { method: 'proportional' } }),
  // declared ahead of the first marketplace subscription: matches nothing in the generated bill (a warning says so)
  rule('marketplace', 'charges', { chargeTypes: ['marketplace'] }, { kind: 'everyone', allocation: { method: 'proportional' } }),
];

/**
 * Writes the assembly to `dir` (replacing it) and returns `dir`. With `rules: false` the same services without the
 * rule set (the plain report of the comparison reads the same declarations).
 */
export function writeAttributionAssembly(dir: string, rules = true): string {
  fs.rmSync(dir, { recursive: true, force: true });
  const builder = new CloudAssemblyBuilder(dir);
  for (const stack of ['ShopStack', 'PlatformStack']) {
    fs.writeFileSync(path.join(builder.outdir, `${stack}.template.json`), JSON.stringify({ Resources: {} }));
    const metadata: Record<string, Array<{ type: string; data: unknown }>> = {};
    for (const s of SERVICES.filter((x) => STACKS[x.service] === stack)) {
      metadata[`/${stack}/${s.service}`] = [{ type: SERVICE_METADATA_TYPE, data: benchServiceRecord(s, stack) }];
    }
    if (rules && stack === 'PlatformStack') {
      const record: AttributionRulesRecord = {
        schemaVersion: ATTRIBUTION_METADATA_SCHEMA,
        ruleSet: 'bench-rules',
        precedence: 100,
        rules: BENCH_RULES,
        constructPath: 'PlatformStack/Rules',
        stackName: 'PlatformStack',
      };
      metadata['/PlatformStack/Rules'] = [{ type: ATTRIBUTION_METADATA_TYPE, data: record }];
    }
    builder.addArtifact(stack, {
      type: 'aws:cloudformation:stack' as any,
      environment: 'aws://111111111111/eu-west-1',
      properties: { templateFile: `${stack}.template.json`, stackName: stack },
      metadata: metadata as any,
    });
  }
  builder.buildAssembly();
  return dir;
}
