import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../../util';
import { buildAssembly, CHECKOUT, runCli, WISHLIST } from '../fixtures';

/*
 * The billing-period folders of an export, both spellings: AWS documents `BILLING_PERIOD=YYYY-MM` for CUR 2.0 (AWS Data
 * Exports user guide, "Understanding export delivery",
 * https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html; /work/shared/reference/aws-cost-facts.md,
 * "Layout in S3", marked [doc]) and nothing for FOCUS (the facts' section 11 is silent on its folders); FOCUS exports are
 * reported delivered under `billing_period=YYYY-MM` (FOCUS_1_2_SCHEMA.partitionFolder), which the FOCUS generator and the
 * committed sample write. The file source picks a period's folders and applies its manifest by that folder name, so the
 * same export reads the same in either spelling: both copies are made here from the sample, whatever spelling it has
 * (the sample moved to lower case, and a copy "to lower case" of it compared lower case with lower case).
 * Real DuckDB on the committed FOCUS sample.
 */

jest.setTimeout(120_000);

const SAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'data', 'focus', 'customer-value-focus');
const EITHER = /BILLING_PERIOD=|billing_period=/g;

/** A copy of the sample export whose folders (and manifest entries) are named `<spelling>YYYY-MM`. */
function copyAs(spelling: 'BILLING_PERIOD=' | 'billing_period='): string {
  const copy = path.join(tempDir('cv-partitions-'), 'customer-value-focus');
  for (const part of ['data', 'metadata']) {
    for (const folder of fs.readdirSync(path.join(SAMPLE, part))) {
      const target = path.join(copy, part, folder.replace(EITHER, spelling));
      expect(path.basename(target).startsWith(spelling)).toBe(true);
      fs.mkdirSync(target, { recursive: true });
      for (const file of fs.readdirSync(path.join(SAMPLE, part, folder))) {
        const text = fs.readFileSync(path.join(SAMPLE, part, folder, file));
        fs.writeFileSync(path.join(target, file), part === 'metadata' ? text.toString('utf8').replace(EITHER, spelling) : text);
      }
    }
  }
  return copy;
}

/** The copy with lower-case folders, and a file its manifest does not list (an earlier delivery's). */
function lowerCaseCopy(): string {
  const copy = copyAs('billing_period=');
  // a file the manifest does not list (an earlier delivery's): left out with a warning, as with upper-case folders
  const october = path.join(copy, 'data', 'billing_period=2026-10');
  fs.copyFileSync(path.join(october, fs.readdirSync(october)[0]), path.join(october, 'earlier-delivery-00001.snappy.parquet'));
  return copy;
}

test('an export with lower-case billing_period= folders reads as the same export with BILLING_PERIOD= folders', async () => {
  // GIVEN the sample and a copy with lower-case folders
  const cwd = tempDir();
  buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST] }]);
  const upperCase = copyAs('BILLING_PERIOD=');
  const copy = lowerCaseCopy();
  const cost = (dir: string, from: string, to: string) => runCli(['cost', '--source', 'focus', dir, '--from', from, '--to', to, '--output', 'json', '--quiet'], { cwd });

  for (const [from, to] of [['2026-11-01', '2026-12-01'], ['2026-10-01', '2026-12-01']]) {
    // WHEN
    const upper = await cost(upperCase, from, to);
    const lower = await cost(copy, from, to);
    // THEN the same rows and totals; only the partitions of the period are read, and the stray file is left out
    expect(upper.code).toBe(0);
    expect(lower.code).toBe(0);
    const a = JSON.parse(upper.stdout);
    const b = JSON.parse(lower.stdout);
    expect(b.rows).toEqual(a.rows);
    expect(b.total).toEqual(a.total);
    expect(b.source.replace(copy, upperCase)).toEqual(a.source);
    // the upper-case folders are read as billing periods (only those of the period are opened)
    expect(a.source).toMatch(/billing periods? 2026-1[01]/);
    expect(upper.stderr).toBe('');
    expect(lower.stderr).toMatch(/^customer-value: warning: 1 data file in .*billing_period=2026-10 is not listed in the export manifest/);
  }
});
