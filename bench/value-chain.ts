import * as fs from 'fs';
import * as path from 'path';
import { CloudAssemblyBuilder } from 'aws-cdk-lib/cx-api';
import { SERVICES, SyntheticService } from '../scripts/generate-cur';
import { SERVICE_METADATA_SCHEMA, SERVICE_METADATA_TYPE, ServiceDeclarationRecord } from '../src/declaration/record';
import { declaredTagValues } from '../src/declaration/tag-values';
import { TagKeys } from '../src/tag-keys';

/**
 * A cloud assembly declaring the services of the generated CUR (scripts/generate-cur.ts) with a value chain, for the
 * `--allocate` benchmark: private-network (proportional) serves checkout, product-search, wishlist and
 * data-platform; data-platform (fixed: checkout 50 %, product-search 30 %, reports 20 %) serves checkout,
 * product-search and reports. A chain of two providers over every declared service.
 */
const CHAIN: Record<string, { consumes?: string[]; allocation?: ServiceDeclarationRecord['costAllocation'] }> = {
  'checkout': { consumes: ['private-network', 'data-platform'] },
  'product-search': { consumes: ['private-network', 'data-platform'] },
  'wishlist': { consumes: ['private-network'] },
  'reports': { consumes: ['data-platform'] },
  'data-platform': { consumes: ['private-network'], allocation: { method: 'fixed', percentages: { 'checkout': 50, 'product-search': 30, 'reports': 20 } } },
};

function recordOf(s: SyntheticService): ServiceDeclarationRecord {
  const chain = CHAIN[s.service] ?? {};
  return {
    ...benchServiceRecord(s, 'Bench'),
    consumes: chain.consumes ?? [],
    ...(chain.allocation ? { costAllocation: chain.allocation } : {}),
  };
}

/** The `customer-value:service` record of a generated service in `stack`, as the construct writes it (no value chain). */
export function benchServiceRecord(s: SyntheticService, stack: string): ServiceDeclarationRecord {
  const keys = TagKeys.DEFAULT;
  return {
    schemaVersion: SERVICE_METADATA_SCHEMA,
    serviceName: s.service,
    customerNeed: s.need,
    customer: { kind: s.customer.kind, name: s.customer.name },
    team: s.team,
    businessUnit: s.businessUnit,
    tagKeys: keys.toJson() as unknown as ServiceDeclarationRecord['tagKeys'],
    tags: declaredTagValues(keys, { serviceName: s.service, customerNeed: s.need, customer: s.customer, team: s.team, businessUnit: s.businessUnit }),
    resources: { total: 1, taggable: 1, tagged: 1, untaggableByType: {} },
    costReporting: { enabled: false, disabledReason: 'benchmark' },
    usageMetrics: [],
    constructPath: `${stack}/${s.service}`,
    stackName: stack,
    includedScopes: [],
    consumes: [],
    consumedBy: [],
  };
}

/** Writes the assembly to `dir` (replacing it) and returns `dir`. */
export function writeChainAssembly(dir: string): string {
  fs.rmSync(dir, { recursive: true, force: true });
  const builder = new CloudAssemblyBuilder(dir);
  fs.writeFileSync(path.join(builder.outdir, 'Bench.template.json'), JSON.stringify({ Resources: {} }));
  const metadata: Record<string, Array<{ type: string; data: ServiceDeclarationRecord }>> = {};
  for (const s of SERVICES) {
    metadata[`/Bench/${s.service}`] = [{ type: SERVICE_METADATA_TYPE, data: recordOf(s) }];
  }
  builder.addArtifact('Bench', {
    type: 'aws:cloudformation:stack' as any,
    environment: 'aws://111111111111/eu-west-1',
    properties: { templateFile: 'Bench.template.json', stackName: 'Bench' },
    metadata: metadata as any,
  });
  builder.buildAssembly();
  return dir;
}
