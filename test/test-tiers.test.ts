import { readdirSync, readFileSync } from 'fs';
import { dirname, join } from 'path';

/**
 * `npx projen test` lints without the type-aware rules (they make eslint build TypeScript programs of the whole tree);
 * `npx projen test:slow`, which CI runs too, runs them in `eslint:types`. This pins that every type-aware rule
 * configured is still enforced somewhere CI runs it.
 */
const ROOT = join(__dirname, '..');

/** A generated JSON file, without the projen marker comment some of them start with. */
function generated(file: string): any {
  return JSON.parse(readFileSync(join(ROOT, file), 'utf8').split('\n').filter((l) => !l.startsWith('//')).join('\n'));
}

/**
 * The rules of @typescript-eslint that need type information, read from the plugin's rule files (`meta.docs.
 * requiresTypeChecking`) without loading the plugin, which loads the TypeScript compiler.
 */
function typeAware(): Set<string> {
  const dir = join(dirname(require.resolve('@typescript-eslint/eslint-plugin/package.json')), 'dist', 'rules');
  return new Set(readdirSync(dir).filter((f) => f.endsWith('.js'))
    .filter((f) => /requiresTypeChecking:\s*true/.test(readFileSync(join(dir, f), 'utf8')))
    .map((f) => `@typescript-eslint/${f.replace(/\.js$/, '')}`));
}

describe('the lint in the two test tiers', () => {
  const eslintrc = generated('.eslintrc.json');
  const types = generated('.eslintrc.types.json');
  const tasks = generated('.projen/tasks.json').tasks;

  test('.eslintrc.json builds no type program and turns every type-aware rule it names off; .eslintrc.types.json enables each', () => {
    const TYPE_AWARE = typeAware();
    expect(TYPE_AWARE.has('@typescript-eslint/no-floating-promises')).toBe(true);
    expect(eslintrc.parserOptions.project).toBeUndefined();
    expect(eslintrc.parserOptions.projectService).toBeUndefined();
    const configs = [eslintrc.rules, ...(eslintrc.overrides ?? []).map((o: any) => o.rules ?? {})];
    const named = configs.flatMap((rules) => Object.entries(rules)).filter(([rule]) => TYPE_AWARE.has(rule));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter(([, setting]) => setting !== 'off')).toEqual([]);
    for (const [rule] of named) {
      expect([rule, types.rules[rule]]).toEqual([rule, 'error']);
    }
    // the type program eslint:types builds: one per tsconfig, as the whole lint did
    expect(types.parserOptions.projectService).toBeDefined();
  });

  test('eslint:types lints every path eslint lints; test:slow runs it when given no paths; CI runs both tiers', () => {
    const paths = (args: string[]) => args.filter((a) => !a.startsWith('-') && !a.startsWith('$') && a !== 'eslint' && !/^\.ts/.test(a) && !a.endsWith('.json'));
    const lintArgs: string[] = tasks.eslint.steps[0].execArgs;
    const typesArgs: string[] = tasks['eslint:types'].steps[0].execArgs;
    expect(typesArgs).toEqual(expect.arrayContaining(['--no-eslintrc', '--config', '.eslintrc.types.json']));
    expect(paths(typesArgs).sort()).toEqual(paths(lintArgs).sort());
    const slow: string = tasks['test:slow'].steps.map((s: any) => s.exec ?? '').join('\n');
    expect(slow).toMatch(/if \[ \$# -eq 0 \]; then .*projen eslint:types/);
    expect(slow).toMatch(/exit \$lint_status/);
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8').split('\n').filter((l) => !/^\s*#/.test(l));
    expect(ci).toEqual(expect.arrayContaining(['npx projen test', 'npx projen test:slow']));
  });
});
