import { ServiceDeclarationRecord } from '../../declaration/record';
import { recordProblems, refusedRecord } from '../../declaration/record-rules';
import { CostDataError } from '../errors';

/**
 * Checks a metadata record with the rules the construct applied when it wrote it (`record-rules.ts`): a malformed or
 * hand-edited record is refused in one line naming the file (or registry entry), the service and the field, never
 * trusted. The one check of every record the readers take in: cloud assemblies and the declaration registry. Free of
 * aws-cdk-lib (the scheduled value-review function bundles it).
 */
export function checkRecord(data: unknown, where: string): ServiceDeclarationRecord {
  const problems = recordProblems(data);
  if (problems.length > 0) {
    throw new CostDataError(refusedRecord(problems, (data as { serviceName?: unknown } | null)?.serviceName, where));
  }
  const r = data as Record<string, any>;
  return {
    ...r,
    resources: { ...r.resources, untaggableByType: r.resources.untaggableByType ?? {} },
    usageMetrics: Array.isArray(r.usageMetrics) ? r.usageMetrics : [],
    includedScopes: Array.isArray(r.includedScopes) ? r.includedScopes : [],
  } as ServiceDeclarationRecord;
}
