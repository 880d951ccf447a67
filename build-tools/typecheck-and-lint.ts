/**
 * The type check and the type-aware lint rules over one TypeScript program (`npx projen typecheck-and-lint:types`, run by
 * `npx projen test:slow`, so in CI).
 *
 * tsc (`-p test/tsconfig.json`: the tests, examples, scripts, benchmarks and the src/ they import) and ESLint's
 * type-aware rules (.eslintrc.types.json) each built a TypeScript program of the same files, ESLint one per tsconfig
 * (its project service). This builds one, from test/tsconfig.json with every other file the lint reads added (the
 * files of src/ no test imports, projenrc/, build-tools/, .projenrc.ts), prints tsc's diagnostics for it as tsc does,
 * then runs ESLint with .eslintrc.types.json on the same paths as `npx projen eslint`, its parser handed this program
 * (build-tools/program-parser.ts). Exit status 1 when either finds something.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadESLint } from 'eslint';
import * as ts from 'typescript';
import { useProgram } from './program-parser';

const ROOT = path.join(__dirname, '..');

/** The .ts files under `dir` (node_modules, declaration files and generated files left out, as the lint does). */
function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') && !e.name.endsWith('.generated.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => !f.split(path.sep).includes('node_modules'));
}

function program(lintPaths: string[]): ts.Program {
  const configFile = path.join(ROOT, 'test', 'tsconfig.json');
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  };
  const config = ts.getParsedCommandLineOfConfigFile(configFile, { noEmit: true }, host)!;
  const rootNames = new Set(config.fileNames.map((f) => path.resolve(f)));
  for (const p of lintPaths) {
    const full = path.join(ROOT, p);
    for (const file of fs.statSync(full, { throwIfNoEntry: false })?.isDirectory() ? tsFiles(full) : fs.existsSync(full) ? [full] : []) {
      rootNames.add(file);
    }
  }
  return ts.createProgram({
    rootNames: [...rootNames],
    options: config.options,
    configFileParsingDiagnostics: config.errors,
    projectReferences: config.projectReferences,
  });
}

async function main(): Promise<number> {
  const lintPaths = process.argv.slice(2);
  if (lintPaths.length === 0) {
    throw new Error('usage: typecheck-and-lint.ts <path>... (the paths `npx projen eslint` lints)');
  }
  process.chdir(ROOT);
  const started = process.cpuUsage();
  const seconds = () => { const u = process.cpuUsage(started); return ((u.user + u.system) / 1e6).toFixed(1); };

  // the type check, as `tsc -p test/tsconfig.json --noEmit` reports it
  const built = program(lintPaths);
  const diagnostics = ts.sortAndDeduplicateDiagnostics(ts.getPreEmitDiagnostics(built));
  if (diagnostics.length > 0) {
    const formatHost: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' };
    // as tsc prints them: with colour and context on a terminal, one line each otherwise
    process.stdout.write(process.stdout.isTTY
      ? ts.formatDiagnosticsWithColorAndContext(diagnostics, formatHost) + '\n'
      : ts.formatDiagnostics(diagnostics, formatHost));
  }
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).length;
  process.stderr.write(`typecheck: ${built.getSourceFiles().length} files, ${errors} errors (${seconds()} s of CPU time)\n`);

  // the type-aware rules, on the same program
  useProgram(built);
  const LegacyESLint = await loadESLint({ useFlatConfig: false }) as any;
  const eslint = new LegacyESLint({
    cwd: ROOT,
    useEslintrc: false,
    overrideConfigFile: '.eslintrc.types.json',
    overrideConfig: { parser: require.resolve('./program-parser') },
    extensions: ['.ts', '.tsx'],
    errorOnUnmatchedPattern: false,
  });
  const results = await eslint.lintFiles(lintPaths);
  const formatter = await eslint.loadFormatter('stylish');
  const text = await formatter.format(results);
  if (text) {
    process.stdout.write(text + '\n');
  }
  const lintErrors = results.reduce((n: number, r: { errorCount: number }) => n + r.errorCount, 0);
  process.stderr.write(`eslint (type-aware rules): ${results.length} files, ${lintErrors} errors (${seconds()} s of CPU time in all)\n`);
  return errors > 0 || lintErrors > 0 ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`typecheck-and-lint: ${e instanceof Error ? e.stack : e}\n`);
  process.exitCode = 2;
});
