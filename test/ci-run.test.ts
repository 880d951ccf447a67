import { readFileSync } from 'fs';
import { join } from 'path';

/**
 * `.ci/run` runs its steps side by side to keep both cores busy (CONTRIBUTING.md, "Test and CI time"); this pins that
 * every check is still there and that the steps that must run alone or in order still do.
 */
const ROOT = join(__dirname, '..');

/** The commands of .ci/run, one per line, without comments, indentation and redirections. */
function ciCommands(): string[] {
  return readFileSync(join(ROOT, '.ci', 'run'), 'utf8').split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .map((l) => l.trim().replace(/\s*>.*$/, ''));
}

function generatedTasks(): Record<string, { steps?: Array<{ spawn?: string }> }> {
  return JSON.parse(readFileSync(join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
}

describe('.ci/run', () => {
  const lines = ciCommands();
  const at = (command: string): number => {
    const i = lines.findIndex((l) => l === command || l.startsWith(`${command} `));
    expect([command, i >= 0]).toEqual([command, true]);
    return i;
  };

  test('runs every check: both test tiers, the build, the jsii targets, the fresh apps, the demo, the drift check', () => {
    for (const command of ['npm ci', 'npx projen test', 'npx projen test:slow', 'CI=true npx projen build:no-test',
      'npx projen package:consumer-app --prepare', 'npx projen package:consumer-app --prepared', 'npx projen demo']) {
      at(command);
    }
    expect(lines.some((l) => l.includes('git status --porcelain --untracked-files=no'))).toBe(true);
    // the jsii targets' sources are checked for every language
    expect(lines).toContain('for lang in python java dotnet go; do');
  });

  test('projen synthesis runs alone, before the tests and the build that read what it writes', () => {
    const synth = at('CI=true npx projen default');
    expect(synth).toBeGreaterThan(at('npm ci'));
    expect(synth).toBeLessThan(at('CI=true npx projen build:no-test'));
    expect(synth).toBeLessThan(at('npx projen test'));
  });

  test('the fresh apps get the tarball after the build packed it; the drift check runs after everything', () => {
    expect(at('npx projen package:consumer-app --prepared')).toBeGreaterThan(at('CI=true npx projen build:no-test'));
    const drift = lines.findIndex((l) => l.includes('git status --porcelain --untracked-files=no'));
    expect(drift).toBeGreaterThan(at('npx projen demo'));
    expect(drift).toBeGreaterThan(lines.indexOf('wait "$package_pid"'));
  });

  test('build:no-test is build without projen synthesis and the tests, packaging with package:code-only', () => {
    const tasks = generatedTasks();
    const spawns = (name: string) => (tasks[name].steps ?? []).map((s) => s.spawn);
    expect(spawns('build:no-test')).toEqual(spawns('build').filter((s) => s !== 'default' && s !== 'test').map((s) => (s === 'package' ? 'package:code-only' : s)));
    expect(spawns('build')).toEqual(expect.arrayContaining(['default', 'test', 'compile', 'package']));
    expect(spawns('package')).toEqual(['package:js']);
  });

  test('package:code-only writes what package:js writes (compiled first, bundled, the tarball checked) and the other languages\' sources, in one jsii-pacmak run', () => {
    const steps = (name: string) => (generatedTasks()[name].steps ?? []).map((s: any) => s.exec ?? s.execArgs?.join(' ') ?? `spawn ${s.spawn}`);
    const js = steps('package:js');
    const codeOnly = steps('package:code-only');
    const pacmak = codeOnly.filter((s: string) => s.startsWith('jsii-pacmak'));
    expect(pacmak).toHaveLength(1);
    expect(pacmak[0].split(' ')).toEqual(expect.arrayContaining(['--code-only', '--target', 'js', 'python', 'java', 'dotnet', 'go']));
    // every other step of package:js, in the same order, the jsii-pacmak run where package:js has its own
    const others = (list: string[]) => list.filter((s) => !s.startsWith('jsii-pacmak') && !s.includes('mv dist-code-only/js/'));
    expect(others(codeOnly)).toEqual(others(js));
    expect(codeOnly.findIndex((s: string) => s.startsWith('jsii-pacmak'))).toBe(js.findIndex((s: string) => s.startsWith('jsii-pacmak')));
    // the tarball lands where package:js puts it, before the check reads it
    const move = codeOnly.findIndex((s: string) => s.includes('mv dist-code-only/js/*.tgz dist/js/'));
    expect(move).toBeGreaterThan(codeOnly.findIndex((s: string) => s.startsWith('jsii-pacmak')));
    expect(move).toBeLessThan(codeOnly.findIndex((s: string) => s.includes('check-package-assets.ts --tarball dist/js')));
  });
});
