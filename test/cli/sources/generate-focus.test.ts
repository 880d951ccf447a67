import * as fs from 'fs';
import * as path from 'path';
import { generateFocus } from '../../../scripts/generate-focus';
import { tempDir } from '../../util';

/*
 * scripts/generate-focus.ts: the synthetic FOCUS data is laid out like a Data Exports delivery, deterministic for a
 * seed, and the committed samples under examples/data/ are what it generates (same totals).
 */

jest.setTimeout(120_000);

const REPO = path.join(__dirname, '..', '..', '..');

test('the committed samples are what the generator writes for their options', async () => {
  for (const [folder, options] of [['focus', { rows: 2400 }], ['focus-csv', { rows: 1500, format: 'csv.gz' as const, seed: 2 }]] as const) {
    const committed = JSON.parse(fs.readFileSync(path.join(REPO, 'examples', 'data', folder, 'customer-value-focus-totals.json'), 'utf8'));
    const out = tempDir('cv-gen-focus-');
    const totals = await generateFocus({ out, ...options });
    expect(JSON.parse(fs.readFileSync(path.join(out, 'customer-value-focus-totals.json'), 'utf8'))).toEqual(committed);
    expect(totals.files).toEqual(committed.files);
  }
});

test('layout, manifests, versions, and several currencies kept apart', async () => {
  const out = tempDir('cv-gen-focus-');
  const totals = await generateFocus({ rows: 500, out, months: 3, start: '2026-11', rowsPerFile: 100, focusVersion: '1.3', currencies: { Microsoft: 'EUR' } });
  expect(totals.billingPeriods).toEqual(['2026-11', '2026-12', '2027-01']);
  expect(totals.files).toHaveLength(6);
  // FOCUS exports are delivered under lower-case billing_period= folders, as the Glue table over them reads them
  // (issue 22: the generator wrote CUR 2.0's BILLING_PERIOD= folders)
  expect(totals.files[0]).toBe('customer-value-focus/data/billing_period=2026-11/customer-value-focus-00001.snappy.parquet');
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'customer-value-focus', 'metadata', 'billing_period=2026-12', 'customer-value-focus-Manifest.json'), 'utf8'));
  expect(manifest.dataFiles).toHaveLength(2);
  expect(Object.keys(totals.byCurrency).sort()).toEqual(['EUR', 'USD']);
  expect(Object.keys(totals.byCurrency.EUR.billed.byProvider)).toEqual(['Microsoft']);
  await expect(generateFocus({ rows: 0, out, focusVersion: '2.0' })).rejects.toThrow(/rows is 0.*focus-version is "2\.0"/);
});
