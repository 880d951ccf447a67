import { readFileSync } from 'fs';
import { join } from 'path';
import { loadESLint } from 'eslint';

/**
 * The layers of src/ (CONTRIBUTING.md, "Layers") as eslint enforces them: the `import/no-restricted-paths` zones and
 * the cost engine's `no-restricted-imports`, read from the generated .eslintrc.json (the configuration `npx projen
 * test` lints with). Only those rules run here, without type information, so each probe takes milliseconds; the
 * probes are linted as text at a path inside src/ and never written to disk.
 */

const ROOT = join(__dirname, '..');
const LAYER_RULES = ['import/no-restricted-paths', '@typescript-eslint/no-restricted-imports'];

interface Override {
  readonly files: string[];
  readonly rules: Record<string, unknown>;
}

function generatedConfig(): any {
  const text = readFileSync(join(ROOT, '.eslintrc.json'), 'utf8').split('\n').filter((l) => !l.startsWith('//')).join('\n');
  return JSON.parse(text);
}

interface LintResult {
  readonly messages: Array<{ ruleId: string | null; message: string }>;
}

let linter: { lintText(code: string, options: { filePath: string }): Promise<LintResult[]> };

beforeAll(async () => {
  const config = generatedConfig();
  const overrides = (config.overrides as Override[])
    .map((o) => ({ files: o.files, rules: Object.fromEntries(Object.entries(o.rules).filter(([rule]) => LAYER_RULES.includes(rule))) }))
    .filter((o) => Object.keys(o.rules).length > 0);
  // the layers must be configured, or every probe below would pass for want of a rule
  expect(overrides.flatMap((o) => Object.keys(o.rules)).sort()).toEqual([...LAYER_RULES].sort());
  const LegacyESLint = await loadESLint({ useFlatConfig: false });
  linter = new LegacyESLint({
    cwd: ROOT,
    useEslintrc: false,
    baseConfig: {
      root: true,
      parser: config.parser,
      parserOptions: { ecmaVersion: 2018, sourceType: 'module' },
      plugins: ['import', '@typescript-eslint'],
      settings: config.settings,
      overrides: overrides as any,
    },
  }) as any;
});

/** The layer messages eslint gives `code` placed at `path` (relative to the repository root). */
async function layerMessages(path: string, code: string): Promise<string[]> {
  const [result] = await linter.lintText(code, { filePath: join(ROOT, path) });
  return result.messages.filter((m) => m.ruleId !== null && LAYER_RULES.includes(m.ruleId)).map((m) => m.message);
}

describe('forbidden imports fail the lint', () => {
  test.each([
    ['the cost engine importing the CLI', 'src/cost-data/probe.ts', "import { realIo } from '../cli/io';", /src\/cost-data\/ is the cost engine/],
    ['the cost engine importing a billing construct', 'src/cost-data/sources/probe.ts', "import { CostAndUsageExport } from '../../billing/cost-and-usage-export';", /src\/cost-data\/ is the cost engine/],
    ['the cost engine importing reporting', 'src/cost-data/probe.ts', "import { checkReportingOptions } from '../reporting/options-check';", /src\/cost-data\/ is the cost engine/],
    ['the cost engine loading aws-cdk-lib', 'src/cost-data/probe.ts', "import { Stack } from 'aws-cdk-lib';", /bundled into Lambda functions/],
    ['the cost engine loading constructs', 'src/cost-data/probe.ts', "import { Construct } from 'constructs';", /bundled into Lambda functions/],
    ['a billing construct importing the CLI', 'src/billing/probe.ts', "import { realIo } from '../cli/io';", /only src\/cli\/ imports src\/cli\//],
    ['a reporting construct importing the CLI', 'src/reporting/probe.ts', "import { realIo } from '../cli/io';", /only src\/cli\/ imports src\/cli\//],
    ['the registry importing the CLI', 'src/registry/probe.ts', "import { realIo } from '../cli/io';", /only src\/cli\/ imports src\/cli\//],
    ['the construct importing the CLI', 'src/probe.ts', "import { realIo } from './cli/io';", /only src\/cli\/ imports src\/cli\//],
    ['src/private/ importing the declaration', 'src/private/probe.ts', "import { UsageMetricRecord } from '../declaration/record';", /src\/private\/ is the leaf/],
    ['the declaration importing reporting', 'src/declaration/probe.ts', "import { CostReportingOptions } from '../reporting/cost-reporting-options';", /src\/declaration\/ owns the declaration/],
    ['the declaration importing the cost engine', 'src/declaration/probe.ts', "import { CostDataError } from '../cost-data/errors';", /src\/declaration\/ owns the declaration/],
    ['the declaration importing the construct', 'src/declaration/probe.ts', "import { CustomerService } from '../customer-service';", /src\/declaration\/ owns the declaration/],
    ['the declaration\'s vocabulary importing the declaration (the old loop)', 'src/usage-metric.ts', "import { describe } from './declaration/rules';", /the declaration's vocabulary/],
    ['the construct importing reporting\'s private/', 'src/customer-service.ts', "import { usageQuerySpec } from './reporting/private/usage-spec';", /src\/reporting\/private\/ is used by src\/reporting\/ only/],
    ['the assertions importing nag\'s private/', 'src/assertions/probe.ts', "import { anchorOf } from '../nag/private/anchor';", /src\/nag\/private\/ is used by src\/nag\/ only/],
    ['the cost engine importing reporting\'s private/', 'src/cost-data/sources/probe.ts', "import { PublisherConfig } from '../../reporting/private/publisher-config';", /src\/reporting\/private\/ is used by src\/reporting\/ only/],
  ])('%s', async (_what, path, code, expected) => {
    const messages = await layerMessages(path, code);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});

describe('allowed imports pass', () => {
  test.each([
    ['billing importing the cost engine', 'src/billing/probe.ts', "import { CostDataError } from '../cost-data/errors';"],
    ['the CLI importing the cost engine', 'src/cli/probe.ts', "import { CostDataError } from '../cost-data/errors';"],
    ['the cost engine reading declaration records', 'src/cost-data/probe.ts', "import { ServiceDeclarationRecord } from '../declaration/record';"],
    ['the cost engine importing src/private/', 'src/cost-data/probe.ts', "import { isIsoDate } from '../private/iso-date';"],
    ['the cost engine importing a type of aws-cdk-lib', 'src/cost-data/probe.ts', "import type { CloudAssembly } from 'aws-cdk-lib/cx-api';"],
    ['the declaration importing src/private/ and the vocabulary', 'src/declaration/probe.ts', "import { isIsoDate } from '../private/iso-date';\nimport { TagKeys } from '../tag-keys';"],
    ['reporting importing its own private/', 'src/reporting/probe.ts', "import { usageQuerySpec } from './private/usage-spec';"],
    ['the construct importing a reporting module', 'src/customer-service.ts', "import { checkReportingOptions } from './reporting/options-check';"],
    ['src/private/ importing src/private/', 'src/private/probe.ts', "import { isIsoDate } from './iso-date';"],
  ])('%s', async (_what, path, code) => {
    expect(await layerMessages(path, code)).toEqual([]);
  });
});
