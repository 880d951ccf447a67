import * as fs from 'fs';
import * as path from 'path';
import { runCli, shopAssembly } from './fixtures';
import { tempDir } from '../util';

/* Cloud assemblies that are broken or not assemblies at all: one line that names the file (issue 13, item 10). */

function expectOneLine(stderr: string): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |unexpected error|Invalid semver|SyntaxError/);
}

test('a manifest.json without "version" names what is missing, not "Invalid semver string"', async () => {
  const cwd = tempDir();
  const dir = shopAssembly(path.join(cwd, 'cdk.out'));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  delete manifest.version;
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  const res = await runCli(['services'], { cwd });
  expect(res.code).toBe(1);
  expectOneLine(res.stderr);
  expect(res.stderr).toBe(`customer-value: cannot read the cloud assembly in "${dir}": manifest.json has no "version" (a cloud assembly `
    + 'manifest, written by "cdk synth", has one); run "cdk synth" again\n');
});

test('a stack metadata file that is not JSON is named', async () => {
  const cwd = tempDir();
  const dir = shopAssembly(path.join(cwd, 'cdk.out'));
  // as "cdk synth" writes it: the stack's metadata in a file of its own, named by the manifest
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  manifest.artifacts.Search.additionalMetadataFile = 'Search.metadata.json';
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  fs.writeFileSync(path.join(dir, 'Search.metadata.json'), '{ not json');
  const res = await runCli(['services'], { cwd });
  expect(res.code).toBe(1);
  expectOneLine(res.stderr);
  expect(res.stderr).toMatch(new RegExp(`^customer-value: cannot read the cloud assembly in "${dir}": Search\\.metadata\\.json is not JSON \\(`));
});

test('a path that is too long is named as such (ENAMETOOLONG), not "does not exist"', async () => {
  const long = 'x'.repeat(300);
  const res = await runCli(['services', '--assembly', long], { cwd: tempDir() });
  expect(res.code).toBe(1);
  expect(res.stderr).toBe(`customer-value: cannot read the cloud assembly at "${long}": the path is too long (ENAMETOOLONG)\n`);
});

test('--assembly pointed at a large directory stops after a bounded scan, with one line', async () => {
  // GIVEN a directory with more entries than a folder of app assemblies ever has (like the system temp directory)
  const big = tempDir();
  for (let i = 0; i < 2100; i++) {
    fs.writeFileSync(path.join(big, `f${i}`), '');
  }
  // WHEN / THEN
  const started = Date.now();
  const res = await runCli(['services', '--assembly', big], { cwd: tempDir() });
  expect(Date.now() - started).toBeLessThan(5000);
  expect(res.code).toBe(1);
  expectOneLine(res.stderr);
  expect(res.stderr).toBe(`customer-value: "${big}" is not a cloud assembly, and has more than 2000 entries to look through for one: `
    + 'pass --assembly <cdk.out directory> (or the directory holding your apps\' cloud assemblies)\n');
});

test('a directory holding more than 200 cloud assemblies is refused before any is read', async () => {
  const many = tempDir();
  for (let i = 0; i < 201; i++) {
    fs.mkdirSync(path.join(many, `app${i}`));
    fs.writeFileSync(path.join(many, `app${i}`, 'manifest.json'), '{}');
  }
  const res = await runCli(['services', '--assembly', many], { cwd: tempDir() });
  expect(res.code).toBe(1);
  expect(res.stderr).toBe(`customer-value: "${many}" holds 201 cloud assemblies (at most 200 are read from one directory): `
    + 'pass --assembly <cdk.out directory> for each app\n');
});
