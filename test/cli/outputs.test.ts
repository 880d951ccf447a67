import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildAssembly, CHECKOUT, curCsv, line, REPORTS, runCli, shopAssembly, WISHLIST } from './fixtures';
import { tempDir } from '../util';

/*
 * Outputs never destroy data and never let untrusted text act (issue 13, items 7, 8, 9, 11 and 16): --out is written
 * atomically and never over an input; tag values are neutralised in every format.
 */

jest.setTimeout(90_000);

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');
const TSX_CJS = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cjs', 'index.cjs');
const OCTOBER = ['--from', '2026-10-01', '--to', '2026-11-01'];

/** The CLI as a process, optionally under a shell limit (e.g. `ulimit -f 4`: at most 4 KB per file written). */
function cliCommand(args: string[], cwd: string, limit = '') {
  const node = [process.execPath, '-r', TSX_CJS, '-e', `'require(${JSON.stringify(MAIN)}).main(process.argv.slice(1))'`, '--',
    ...args.map((a) => `'${a}'`)].join(' ');
  return { command: 'bash', args: ['-c', `${limit ? `${limit}; ` : ''}exec ${node}`], options: { cwd, env: { PATH: process.env.PATH!, HOME: '/tmp', TSX_DISABLE_CACHE: '1' } } };
}

function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));
}

describe('item 7: --out is written atomically', () => {
  test('a write that fails half-way (file size limit, as on a full disk) leaves the previous report intact and no temporary file', () => {
    // GIVEN a previous report, and a process that may write at most 4 KB per file
    const cwd = tempDir();
    shopAssembly(path.join(cwd, 'cdk.out'));
    const previous = '{"previous": "report"}\n';
    fs.writeFileSync(path.join(cwd, 'services.json'), previous);

    // WHEN the new report (about 8 KB) is written
    const c = cliCommand(['services', '--output', 'json', '--out', 'services.json'], cwd, 'ulimit -f 4');
    const res = spawnSync(c.command, c.args, { ...c.options, encoding: 'utf8', timeout: 60_000 });

    // THEN
    expect(res.stderr).toBe('customer-value: cannot write services.json: EFBIG: file too large for the file system or the process limit '
      + '(EFBIG) (the existing file is unchanged)\n');
    expect(res.status).toBe(1);
    expect(fs.readFileSync(path.join(cwd, 'services.json'), 'utf8')).toBe(previous);
    expect(leftovers(cwd)).toEqual([]);
  });

  test('the file is replaced (not rewritten in place), keeps its permissions, and no temporary file stays', async () => {
    const cwd = tempDir();
    shopAssembly(path.join(cwd, 'cdk.out'));
    const out = path.join(cwd, 'services.md');
    fs.writeFileSync(out, 'old');
    fs.chmodSync(out, 0o640);
    const inode = fs.statSync(out).ino;
    const res = await runCli(['services', '--output', 'markdown', '--out', 'services.md'], { cwd });
    expect(res.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^# Customer services\n/);
    expect(fs.statSync(out).ino).not.toBe(inode);
    expect(fs.statSync(out).mode % 0o1000).toBe(0o640);
    expect(leftovers(cwd)).toEqual([]);
  });

  test('runs writing the same file at once leave one complete report', async () => {
    const cwd = tempDir();
    shopAssembly(path.join(cwd, 'cdk.out'));
    const runs = Array.from({ length: 6 }, () => new Promise<number | null>((resolve) => {
      const c = cliCommand(['services', '--output', 'json', '--out', 'same.json'], cwd);
      spawn(c.command, c.args, { ...c.options, stdio: 'ignore' }).on('exit', resolve);
    }));
    expect(await Promise.all(runs)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(JSON.parse(fs.readFileSync(path.join(cwd, 'same.json'), 'utf8')).services).toHaveLength(4);
    expect(leftovers(cwd)).toEqual([]);
  });
});

describe('item 8: --out never names an input', () => {
  let cwd: string;
  let cur: string;
  beforeAll(() => {
    cwd = tempDir();
    buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST] }]);
    cur = curCsv(path.join(cwd, 'export', 'cur.csv'), [line('2026-10-03', 5, { user_customer_service: 'checkout' })]);
  });

  test.each([
    ['the CUR file', 'export/cur.csv', ['--out', 'export/cur.csv'], 'is the CUR data export/cur.csv'],
    ['a file in the CUR folder', 'export', ['--out', 'export/report.csv'], 'is inside the CUR data export'],
    ['the assembly manifest', 'export', ['--out', 'cdk.out/manifest.json'], 'is inside the cloud assembly cdk.out'],
    ['the assembly, through ..', 'export', ['--out', 'export/../cdk.out/Shop.metadata.json'], 'is inside the cloud assembly cdk.out'],
  ])('%s: refused before reading, the file unchanged', async (_, source, out, message) => {
    const before = fs.readFileSync(cur, 'utf8');
    const res = await runCli(['cost', '--source', 'cur', source, ...OCTOBER, '--quiet', ...out], { cwd });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`customer-value: --out ${out[1]} ${message}, an input of this command: refusing to overwrite it; write the `
      + 'report to another file\n');
    expect(fs.readFileSync(cur, 'utf8')).toBe(before);
  });

  test('a symbolic link to the manifest is compared by its real path', async () => {
    fs.symlinkSync(path.join(cwd, 'cdk.out', 'manifest.json'), path.join(cwd, 'link.json'));
    const manifest = fs.readFileSync(path.join(cwd, 'cdk.out', 'manifest.json'), 'utf8');
    const res = await runCli(['services', '--output', 'json', '--out', 'link.json'], { cwd });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^customer-value: --out link\.json is inside the cloud assembly cdk\.out, an input of this command/);
    expect(fs.readFileSync(path.join(cwd, 'cdk.out', 'manifest.json'), 'utf8')).toBe(manifest);
  });

  test('a file a glob reads is refused too (known once the glob is expanded)', async () => {
    const res = await runCli(['cost', '--source', 'cur', 'export/*.csv', ...OCTOBER, '--quiet', '--out', 'export/cur.csv'], { cwd });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^customer-value: --out export\/cur\.csv is the CUR file export\/cur\.csv, an input of this command/);
  });

  test('catalog --out into the assembly is refused', async () => {
    const dir = tempDir();
    shopAssembly(path.join(dir, 'cdk.out'));
    const res = await runCli(['catalog', '--out', 'cdk.out/catalog-info.yaml'], { cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('customer-value: --out cdk.out/catalog-info.yaml is inside the cloud assembly cdk.out, an input of this command: '
      + 'refusing to overwrite it; write the report to another file\n');
    expect(fs.existsSync(path.join(dir, 'cdk.out', 'catalog-info.yaml'))).toBe(false);
  });
});

describe('item 9: untrusted tag values in every format', () => {
  const RLO = '\u202E';
  const LONG = 'x'.repeat(10_000);
  const MARKUP = '**x** [x](javascript:alert(1))';
  let cwd: string;
  let file: string;
  beforeAll(() => {
    cwd = tempDir();
    buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT] }]);
    file = curCsv(path.join(tempDir(), 'cur.csv'), [
      line('2026-10-03', 24, { user_customer_service: `${RLO}evil`, user_team: `${RLO}DSU` }),
      line('2026-10-03', 1, { user_customer_service: LONG, user_team: LONG }),
      line('2026-10-03', 2, { user_customer_service: MARKUP, user_team: MARKUP }),
    ]);
  });

  async function render(output: string, by = 'team'): Promise<string> {
    const res = await runCli(['cost', '--source', 'cur', file, '--from', '2026-10-03', '--to', '2026-10-04', '--by', by, '--output', output,
      '--quiet', ...(output === 'html' ? ['--out', '-'] : [])], { cwd });
    expect(res.code).toBe(0);
    return res.stdout;
  }

  test.each(['table', 'markdown', 'html', 'csv'])('%s: bidi controls are shown as <U+202E>, never written raw', async (output) => {
    const text = await render(output);
    expect(text).not.toContain(RLO);
    expect(text).toMatch(/(<|&lt;)U\+202E(>|&gt;)evil/);
  });

  test('json: bidi controls are \\u escapes, and parse back to the value', async () => {
    const text = await render('json');
    expect(text).not.toContain(RLO);
    expect(text).toContain('"\\u202eDSU"');
    expect(JSON.parse(text).rows.map((r: any) => r.group)).toContain(`${RLO}DSU`);
  });

  test('a 10 000-character value: cut with an ellipsis in the table, wrapped in HTML, whole in JSON and CSV', async () => {
    const table = await render('table');
    expect(Math.max(...table.split('\n').map((l) => l.length))).toBeLessThan(400);
    expect(table).toContain(`${'x'.repeat(59)}…`);
    const htmlTable = (await render('html')).split('<table>')[1].split('</table>')[0];
    expect(htmlTable).toContain(`${'x'.repeat(24)}<wbr>${'x'.repeat(24)}<wbr>`);
    expect(htmlTable).not.toContain('x'.repeat(25));
    expect(htmlTable.replace(/<wbr>/g, '')).toContain(LONG);
    expect(JSON.parse(await render('json')).rows.map((r: any) => r.group)).toContain(LONG);
    expect(await render('csv')).toContain(LONG);
  });

  test('markdown: emphasis and links in a value stay text', async () => {
    const md = await render('markdown');
    expect(md).toContain('\\*\\*x\\*\\* \\[x\\](javascript:alert(1))');
    expect(md).not.toContain('[x](javascript');
    expect(md).not.toMatch(/(^|[^\\])\*\*x/);
  });
});

describe('item 11: the Services column under --by team or business unit shows the services that carry the cost', () => {
  test('cost of an undeclared tag value in a declared team: the value is listed, the declared service without cost is marked', async () => {
    // GIVEN the team "payments" declared by checkout, and cost tagged team=payments from the undeclared "reports-legacy" only
    const cwd = tempDir();
    buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST] }, { id: 'Reports', services: [REPORTS] }]);
    const file = curCsv(path.join(cwd, 'cur.csv'), [
      line('2026-10-03', 283.6, { user_customer_service: 'reports-legacy', user_team: 'payments' }),
      line('2026-10-03', 10, { user_customer_service: 'wishlist', user_team: 'discovery' }),
    ]);

    // WHEN
    const table = await runCli(['cost', '--source', 'cur', file, ...OCTOBER, '--by', 'team', '--quiet'], { cwd });
    const json = await runCli(['cost', '--source', 'cur', file, ...OCTOBER, '--by', 'team', '--quiet', '--output', 'json'], { cwd });

    // THEN
    expect(table.stdout).toMatch(/^payments +reports-legacy, checkout \(no cost\) +retail +283\.60 /m);
    expect(table.stdout).toMatch(/^discovery +wishlist +retail +10\.00 /m);
    const rows = Object.fromEntries(JSON.parse(json.stdout).rows.map((r: any) => [r.group, r]));
    expect(rows.payments).toMatchObject({ services: ['reports-legacy'], servicesWithoutCost: ['checkout'] });
    expect(rows.discovery).toMatchObject({ services: ['wishlist'], servicesWithoutCost: [] });
  });
});

describe('item 16: short options', () => {
  test('-o for --output, -a for --assembly, -q for --quiet, listed in --help', async () => {
    const cwd = tempDir();
    shopAssembly(path.join(cwd, 'shop.out'));
    const res = await runCli(['services', '-a', 'shop.out', '-o', 'json'], { cwd });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).services).toHaveLength(4);
    const help = await runCli(['cost', '--help'], { cwd });
    expect(help.stdout).toContain('-o, --output FORMAT');
    expect(help.stdout).toContain('-a, --assembly DIR');
    expect(help.stdout).toContain('-q, --quiet');
    expect((await runCli(['services', '--help'], { cwd })).stdout).toContain('-o, --output FORMAT');
  });

  test('an unknown short option names the known ones', async () => {
    const res = await runCli(['services', '-x'], { cwd: tempDir() });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('customer-value services: unknown option -x for "services"; short options are -a (--assembly), -o (--output), -h '
      + '(see "customer-value services --help")\n');
  });

  test('-o takes a value like --output', async () => {
    const res = await runCli(['services', '-o'], { cwd: tempDir() });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^customer-value services: option --output needs a value: accepted values are table, json, csv, markdown/);
  });
});
