import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import tseslint from '@typescript-eslint/eslint-plugin';
import { Linter } from 'eslint';
import * as ts from 'typescript';
import { parseForESLint, useProgram } from '../build-tools/program-parser';

/**
 * `npx projen test` lints without the type-aware rules and runs no type check (both need a TypeScript program of the
 * whole tree); `npx projen test:slow`, which CI runs too, runs both over one program in `typecheck-and-lint:types`
 * (build-tools/typecheck-and-lint.ts). This pins that every type-aware rule configured and the type check are still
 * enforced somewhere CI runs them.
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
    // an editor's or a bare `eslint --config .eslintrc.types.json` run finds the programs by tsconfig;
    // typecheck-and-lint:types hands the parser its own program instead (build-tools/program-parser.ts)
    expect(types.parserOptions.projectService).toBeDefined();
  });

  test('typecheck-and-lint:types lints every path eslint lints; test:slow runs it when given no paths; CI runs both tiers', () => {
    const paths = (args: string[]) => args.filter((a) => !a.startsWith('-') && !a.startsWith('$') && a !== 'eslint' && !/^\.ts/.test(a) && !a.endsWith('.json'));
    const lintArgs: string[] = tasks.eslint.steps[0].execArgs;
    const [runner, script, ...typesPaths]: string[] = tasks['typecheck-and-lint:types'].steps[0].execArgs;
    expect([runner, script]).toEqual(['tsx', 'build-tools/typecheck-and-lint.ts']);
    expect(typesPaths.sort()).toEqual(paths(lintArgs).sort());
    const slow: string = tasks['test:slow'].steps.map((s: any) => s.exec ?? '').join('\n');
    expect(slow).toMatch(/if \[ \$# -eq 0 \]; then .*projen typecheck-and-lint:types/);
    expect(slow).toMatch(/exit \$lint_status/);
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8').split('\n').filter((l) => !/^\s*#/.test(l));
    expect(ci).toEqual(expect.arrayContaining(['npx projen test', 'npx projen test:slow']));
  });

  test('npx projen test runs jest and, beside it, the untyped lint, no type check; the type check runs in the slow tier on test/tsconfig.json', () => {
    const [bundle, jest, lint, ...more] = tasks.test.steps;
    // the untyped lint starts beside the bundle and jest; the last step waits for it and reports it
    expect(bundle.exec).toMatch(/\{ projen eslint >\.tmp\/eslint\.log 2>&1; echo \$\? >\.tmp\/eslint\.status; \} .*& projen bundle'$/);
    expect(bundle.exec).toMatch(/rm -f \.tmp\/eslint\.status/);
    expect(jest.execArgs[0]).toBe('jest');
    expect(lint.exec).toMatch(/while \[ ! -f \.tmp\/eslint\.status \].*cat \.tmp\/eslint\.log; exit "\$\(cat \.tmp\/eslint\.status\)"/);
    expect(more).toEqual([]);
    expect(JSON.stringify(tasks.test.steps)).not.toMatch(/tsc|typecheck/);
    const script = readFileSync(join(ROOT, 'build-tools', 'typecheck-and-lint.ts'), 'utf8');
    expect(script).toMatch(/path\.join\(ROOT, 'test', 'tsconfig\.json'\)/);
    expect(script).toMatch(/overrideConfigFile: '\.eslintrc\.types\.json'/);
  });
});

describe('build-tools/program-parser.ts: the type-aware rules read the program typecheck-and-lint.ts built', () => {
  test('a floating promise is found with the types of the program handed over, and a file outside it is refused', () => {
    // GIVEN a program of one file, as typecheck-and-lint.ts builds it (with the smallest lib declaring Promise)
    const dir = mkdtempSync(join(tmpdir(), 'cv-program-parser-'));
    const file = join(dir, 'a.ts');
    const code = 'function later(): Promise<number> { return Promise.resolve(1); }\nlater();\nexport {};\n';
    writeFileSync(file, code);
    const program = ts.createProgram({ rootNames: [file], options: { strict: true, lib: ['lib.es5.d.ts', 'lib.es2015.promise.d.ts'], types: [] } });
    useProgram(program);

    // WHEN the parser is asked for the file, and ESLint runs no-floating-promises with it
    const parsed = parseForESLint(code, { filePath: file });
    const linter = new Linter({ configType: 'eslintrc' });
    linter.defineParser('program-parser', { parseForESLint } as any);
    linter.defineRule('no-floating-promises', tseslint.rules['no-floating-promises'] as any);
    const messages = linter.verify(code, { parser: 'program-parser', rules: { 'no-floating-promises': 'error' } } as any, file);

    // THEN the parser read the program it was given, and the rule found the call on line 2 through its types
    expect(parsed.services.program).toBe(program);
    expect(messages.map((m) => [m.ruleId, m.line])).toEqual([['no-floating-promises', 2]]);
    const outside = join(dir, 'b.ts');
    writeFileSync(outside, code);
    expect(() => parseForESLint(code, { filePath: outside })).toThrow(/not found in any of the provided program/);
    rmSync(dir, { recursive: true, force: true });
  });
});
