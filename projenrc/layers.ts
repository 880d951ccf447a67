import { readdirSync } from 'fs';
import { join } from 'path';

/**
 * The layers of src/, enforced by eslint (`import/no-restricted-paths`, `@typescript-eslint/no-restricted-imports`)
 * as `import/no-cycle` enforces one-way data flow: CONTRIBUTING.md, "Layers", describes them. Paths are relative to
 * the repository root (eslint runs there). The areas are the folders of src/ when `npx projen` runs, so a new area
 * gets its private/ rule with the next `npx projen` (CI fails on a generated file out of date).
 */

/** One `import/no-restricted-paths` zone: files in `target` may not import files in `from`. */
export interface Zone {
  readonly target: string | string[];
  readonly from: string | string[];
  readonly except?: string[];
  readonly message: string;
}

/**
 * The top-level modules that are the declaration's vocabulary (the public types `src/declaration/` reads): they import
 * nothing of src outside src/private/ (and each other), so no folder loops back through them into the declaration.
 */
export const DECLARATION_VOCABULARY = [
  'src/context-keys.ts', 'src/cost-allocation.ts', 'src/customer-service-base.ts', 'src/customer.ts', 'src/service-ref.ts',
  'src/tag-keys.ts', 'src/usage-metric.ts', 'src/value-review.ts',
];

/** The construct itself and its props (the props reach reporting's options). */
const CONSTRUCT = ['src/customer-service.ts', 'src/customer-service-props.ts'];

/** The folders of src/ (src/private/ included), sorted. */
export function areas(root: string): string[] {
  return readdirSync(join(root, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

export function layerZones(root: string): Zone[] {
  const all = areas(root);
  const dirs = (names: string[]) => names.map((n) => `src/${n}`);
  const except = (...names: string[]) => dirs(all.filter((n) => !names.includes(n)));
  const zones: Zone[] = [
    {
      target: 'src/private',
      from: 'src',
      except: ['./private'],
      message: 'src/private/ is the leaf every area shares: it imports nothing of src outside src/private/ (CONTRIBUTING.md, "Layers").',
    },
    {
      target: DECLARATION_VOCABULARY,
      from: [...except('private'), ...CONSTRUCT],
      message: 'the declaration\'s vocabulary (public types src/declaration/ reads) imports only src/private/ (CONTRIBUTING.md, "Layers").',
    },
    {
      target: 'src/declaration',
      from: [...except('declaration', 'private'), ...CONSTRUCT],
      message: 'src/declaration/ owns the declaration: it imports only src/private/ and the declaration\'s vocabulary (CONTRIBUTING.md, "Layers").',
    },
    {
      target: 'src/cost-data',
      from: [...dirs(['assertions', 'billing', 'cli', 'nag', 'reporting'].filter((n) => all.includes(n))), ...CONSTRUCT],
      message: 'src/cost-data/ is the cost engine below the CLI and the billing functions: it imports neither them nor the constructs (CONTRIBUTING.md, "Layers").',
    },
    {
      target: ['src/*.ts', ...except('cli')],
      from: 'src/cli',
      message: 'only src/cli/ imports src/cli/: the engine lives in src/cost-data/ (CONTRIBUTING.md, "Layers").',
    },
  ];
  for (const area of all.filter((n) => n !== 'private')) {
    zones.push({
      target: ['src/*.ts', ...except(area)],
      from: `src/${area}/private`,
      message: `src/${area}/private/ is used by src/${area}/ only: move what another area needs to a module of src/${area}/ or to src/private/ (CONTRIBUTING.md, "Layers").`,
    });
  }
  return zones;
}

/**
 * src/cost-data/ is bundled into Lambda functions and loaded by the CLI without the CDK: no value import of
 * aws-cdk-lib or constructs (type imports are erased). The CLI's cloud-assembly reader loads aws-cdk-lib/cx-api
 * lazily, with `require`, only when it reads an assembly.
 */
export const COST_DATA_NO_CDK = {
  patterns: [{
    group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
    allowTypeImports: true,
    message: 'src/cost-data/ is bundled into Lambda functions and loaded by the CLI: no aws-cdk-lib or constructs at run time (CONTRIBUTING.md, "Layers").',
  }],
};
