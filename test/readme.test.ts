/**
 * README.md is what npm users read first: its TypeScript compiles against the current API, its links work from the
 * npm package page, and the output it shows is what the code prints.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as ts from 'typescript';
import * as cv from '../src';
import { runCli } from './cli/fixtures';
import { exampleAppProps, tempDir, validationFindings } from './util';
import { failedPlugins, quickStartApp } from '../scripts/consumer-app';
import { DUCKDB_INSTALL } from '../src/cost-data/sources/duckdb-version';

const ROOT = path.resolve(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

interface Snippet {
  /** README line of the snippet's first code line (1-based). */
  readonly line: number;
  readonly code: string;
  /** The fixture (rosetta/<name>.ts-fixture) it is compiled in; `undefined` for `nofixture`. */
  readonly fixture: string | undefined;
}

/** The ```ts blocks of a Markdown text, with jsii-rosetta's fence parameters (`nofixture`, `fixture=NAME`). */
function tsSnippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) {
      continue;
    }
    const end = lines.indexOf('```', i + 1);
    if (end < 0) {
      throw new Error(`README.md:${i + 1}: code block never closed`);
    }
    if (['ts', 'typescript'].includes(open[1])) {
      const params = open[2].split(/\s+/);
      const fixture = params.includes('nofixture') ? undefined : (params.find((p) => p.startsWith('fixture='))?.slice(8) ?? 'default');
      snippets.push({ line: i + 2, code: lines.slice(i + 1, end).join('\n'), fixture });
    }
    i = end;
  }
  return snippets;
}

/** The file a snippet compiles as, and the README line of each of its lines (`undefined` for fixture lines). */
function assemble(snippet: Snippet): { text: string; readmeLines: Array<number | undefined> } {
  const code = snippet.code.split('\n').map((text, i) => ({ text, line: snippet.line + i }));
  if (snippet.fixture === undefined) {
    return { text: code.map((l) => l.text).join('\n'), readmeLines: code.map((l) => l.line) };
  }
  // Hoist the imports (each up to the line ending its statement), as jsii-rosetta does.
  const imports: typeof code = [];
  const body: typeof code = [];
  let inImport = false;
  for (const l of code) {
    if (inImport || /^import\s/.test(l.text)) {
      imports.push(l);
      inImport = !/;\s*$/.test(l.text);
    } else if (!l.text.startsWith('#!')) {
      body.push(l);
    }
  }
  const fixture = fs.readFileSync(path.join(ROOT, 'rosetta', `${snippet.fixture}.ts-fixture`), 'utf8').split('\n');
  const marker = fixture.findIndex((l) => l.trim() === '/// here');
  if (marker < 0) {
    throw new Error(`rosetta/${snippet.fixture}.ts-fixture has no "/// here" marker`);
  }
  const all = [
    ...imports,
    ...fixture.slice(0, marker).map((text) => ({ text, line: undefined })),
    ...body,
    ...fixture.slice(marker + 1).map((text) => ({ text, line: undefined })),
  ];
  return { text: all.map((l) => l.text).join('\n'), readmeLines: all.map((l) => l.line) };
}

/** Compiles the snippets in one program (`cdk-customer-value` is this repo's src/); one line per problem. */
function compile(snippets: Snippet[]): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'test', 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  })!;
  const options: ts.CompilerOptions = {
    ...config.options,
    noEmit: true,
    skipLibCheck: true,
    // Snippets show a declaration and may leave it unused.
    noUnusedLocals: false,
    noUnusedParameters: false,
    paths: { 'cdk-customer-value': [path.join(ROOT, 'src', 'index.ts')] },
  };
  const files = new Map(snippets.map((s) => [path.join(ROOT, '.tmp', 'readme-snippets', `readme-line-${s.line}.ts`), { snippet: s, ...assemble(s) }]));
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => files.has(path.resolve(f)) || fileExists.call(host, f);
  host.readFile = (f) => files.get(path.resolve(f))?.text ?? readFile.call(host, f);
  host.getSourceFile = (f, languageVersion, ...rest) => {
    const virtual = files.get(path.resolve(f));
    return virtual ? ts.createSourceFile(f, virtual.text, languageVersion, true) : getSourceFile.call(host, f, languageVersion, ...rest);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const problems: string[] = [];
  for (const [file, { snippet, readmeLines }] of files) {
    const sf = program.getSourceFile(file)!;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const { line } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
      const where = readmeLines[line] !== undefined
        ? `README.md:${readmeLines[line]}`
        : `README.md:${snippet.line} (rosetta/${snippet.fixture}.ts-fixture line ${line + 1})`;
      problems.push(`${where}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    }
  }
  return problems;
}

/** GitHub's anchor for a heading. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

/**
 * The table of a `customer-value` report with only some of its columns: the columns named in `shown` (in the report's
 * order, at the report's widths), each run of columns left out drawn as one `...` column. The table is the report's
 * header, dashed line and rows, read from the dashed line's column spans.
 */
function someColumns(report: string, shown: string[]): string {
  const lines = report.split('\n');
  const dashes = lines.findIndex((l) => /^-+( +-+)+$/.test(l));
  if (dashes < 1) {
    throw new Error(`no table in the report:\n${report}`);
  }
  const end = lines.indexOf('', dashes);
  const table = lines.slice(dashes - 1, end < 0 ? undefined : end);
  const spans = [...lines[dashes].matchAll(/-+/g)].map((m) => [m.index!, m.index! + m[0].length] as const);
  const cell = (line: string, [from, to]: readonly [number, number]) => line.slice(from, to).padEnd(to - from);
  const headers = spans.map((span) => cell(table[0], span).trim());
  const unknown = shown.filter((name) => name !== '...' && !headers.includes(name));
  if (unknown.length > 0) {
    throw new Error(`columns ${JSON.stringify(unknown)} are not in the report's ${JSON.stringify(headers)}`);
  }
  return table.map((line, row) => {
    const cells: string[] = [];
    headers.forEach((name, i) => {
      if (shown.includes(name)) {
        cells.push(cell(line, spans[i]));
      } else if (i === 0 || shown.includes(headers[i - 1])) {
        cells.push(row === 1 ? '---' : '...');
      }
    });
    return cells.join('  ').trimEnd();
  }).join('\n');
}

describe('README.md', () => {
  const snippets = tsSnippets(README);

  test('every TypeScript snippet compiles against the current API', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(7);
    expect(compile(snippets)).toEqual([]);
  });

  test('a snippet that uses an undeclared name is caught, with its README line', () => {
    // GIVEN: a snippet in the style of the billing one before it declared `declarations`
    const broken: Snippet = { line: 500, code: "import { CostAllocationTags } from 'cdk-customer-value';\n\nnew CostAllocationTags(billing, 'Tags', {});", fixture: 'default' };
    // THEN
    expect(compile([broken])).toEqual([expect.stringMatching(/^README\.md:502: TS2304 Cannot find name 'billing'/)]);
  });

  test('the quick start is a whole app with every import shown, and the one the consumer check synthesizes', () => {
    const sections = README.split(/^## /m).map((s) => s.split('\n')[0]);
    expect(sections.slice(1, 4)).toEqual(['Install', 'Quick start', 'Try it from a clone, without an AWS account']);
    const app = quickStartApp(README);
    const snippet = snippets.find((s) => s.code === app.replace(/\n$/, ''));
    expect(snippet?.fixture).toBeUndefined();
    expect(app).toMatch(/^import \{[^}]*\bValidations\b[^}]*\} from 'aws-cdk-lib';$/m);
    expect(app).toMatch(/^import \{ AwsSolutionsChecks \} from 'cdk-nag';$/m);
    expect(app).toMatch(/^import \{[^}]*\bCustomerService\b[^}]*\} from 'cdk-customer-value';$/m);
  });

  test('the quick start synthesizes under both packs without a finding, and `customer-value services` prints what it shows', async () => {
    // GIVEN the quick start as a user copies it, run in this process: its import of the package is src/, and its App
    // writes to a folder of the test (what `cdk synth` would do with it, without the CLI's start-up)
    const dir = path.join(ROOT, '.tmp', 'readme-quick-start');
    fs.rmSync(dir, { recursive: true, force: true });
    const apps: cdk.App[] = [];
    class App extends cdk.App {
      constructor(props: cdk.AppProps = {}) {
        super({ ...props, outdir: path.join(dir, 'cdk.out'), autoSynth: false });
        apps.push(this);
      }
    }
    const js = ts.transpileModule(quickStartApp(README).replace(/^#!.*\n/, ''), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    // the snippet's imports: the package is src/, aws-cdk-lib's App writes to the folder above, the rest as they are
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = (name: string): unknown => (name === 'cdk-customer-value' ? cv : name === 'aws-cdk-lib' ? { ...cdk, App } : require(name));
    // WHEN
    new Function('require', 'exports', js)(load, {});
    expect(apps).toHaveLength(1);
    apps[0].synth();
    // THEN
    expect(failedPlugins(path.join(dir, 'cdk.out'))).toEqual([]);
    expect(validationFindings(path.join(dir, 'cdk.out'))).toEqual([]);
    const shown = README.slice(README.indexOf('$ npx customer-value services\n') + '$ npx customer-value services\n'.length);
    const services = await runCli(['services'], { cwd: dir });
    expect(services.stderr).toBe('');
    expect(services.stdout).toBe(shown.slice(0, shown.indexOf('```')));
  });

  test('the value chain\'s sample report is what its command prints for the committed sample, after the demo synthesized the examples', async () => {
    // GIVEN the examples synthesized into cdk.out/<example>/, as `npx projen demo` does with the cdk CLI (here in this
    // process, with the tests' fixed date), next to the repository's examples/ folder
    const dir = tempDir('cv-readme-value-chain-');
    fs.symlinkSync(path.join(ROOT, 'examples'), path.join(dir, 'examples'));
    const examples = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.ts') && !f.startsWith('refused')).sort();
    expect(examples).toEqual(expect.arrayContaining(['online-shop.ts', 'pipeline.ts']));
    for (const file of examples) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createApp } = require(path.join(ROOT, 'examples', file)) as { createApp: (props: cdk.AppProps) => cdk.App };
      createApp({ ...exampleAppProps(), outdir: path.join(dir, 'cdk.out', file.replace(/\.ts$/, '')) }).synth();
    }
    const prompt = '$ npx customer-value cost --source cur examples/data/cur2/customer-value-cur ';
    const start = README.indexOf(prompt);
    expect(start).toBeGreaterThan(0);
    const [command, ...shown] = README.slice(start, README.indexOf('```', start)).trimEnd().split('\n');

    // WHEN the README's command
    const report = await runCli(command.replace(/^\$ npx customer-value /, '').split(' '), { cwd: dir });

    // THEN it succeeds, and the README shows its table, some columns left out (as its header says)
    expect(report.stderr).toBe('customer-value: reading 2 Parquet files (297.6 KB)\n');
    expect(report.code).toBe(0);
    expect(shown.join('\n')).toBe(someColumns(report.stdout, shown[0].split(/ {2,}/)));
  });

  test('links point to the repository or to a heading, never to a file missing from the npm package', () => {
    const headings = new Set(README.split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => slug(l.replace(/^#+ /, ''))));
    const links = [...README.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(10);
    const bad = links.filter((l) => !(l.startsWith('https://') || (l.startsWith('#') && headings.has(l.slice(1)))));
    expect(bad).toEqual([]);
    expect(links.filter((l) => l.startsWith('https://github.com/') && !l.startsWith('https://github.com/cdk-customer-value/cdk-customer-value'))).toEqual([]);
  });

  test('the peer dependencies it names are the package\'s', () => {
    const peers: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).peerDependencies;
    const line = README.slice(README.indexOf('Peer dependencies:'), README.indexOf('Node.js >= 20'));
    const named = Object.fromEntries([...line.matchAll(/`([a-z@/-]+)` (\^[\d.]+)/g)].map((m) => [m[1], m[2]]));
    expect(named).toEqual(peers);
  });

  test('the DuckDB install line names the release the CLI asks for', () => {
    expect(README).toContain(DUCKDB_INSTALL);
  });

  test('the sample synth error is what `cdk synth` prints for the refused example: the problems only', () => {
    // WHEN: the README's command, with the repo's cdk CLI
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-refused-'));
    const res = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'),
      ['synth', '--no-notices', '--app', 'npx tsx examples/refused.ts', '--output', outdir], {
        cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', FORCE_COLOR: '0', NO_COLOR: '1' },
      });
    fs.rmSync(outdir, { recursive: true, force: true });
    // THEN: exit 1, and exactly the output the README shows: the four problems, no source line, no stack trace
    const command = "$ npx cdk synth --no-notices --app 'npx tsx examples/refused.ts'\n";
    const shown = README.slice(README.indexOf(command) + command.length);
    expect(res.status).toBe(1);
    expect(`${res.stdout}${res.stderr}`).toBe(shown.slice(0, shown.indexOf('```')));
    expect(res.stderr.match(/^ERROR /gm)).toHaveLength(4);
  });
});
