import * as fs from 'fs';
import * as path from 'path';
import { contextTagKeys, parseTagKeyFlags } from '../../src/cli/tag-mapping';
import { CostGrouping } from '../../src/cost-data/query-terms';
import { tempDir } from '../util';

/*
 * src/cli/tag-mapping.ts reads its field names from the customer-value field table (src/cost-data/customer-value-fields.ts):
 * `--tag-key FIELD=KEY` takes the `--by` values, cdk.json's `customer-value:costDataTagKeys` the TagKeys fields too.
 */

function cdkJson(value: unknown): string {
  const dir = tempDir('cv-tag-mapping-');
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ context: { 'customer-value:costDataTagKeys': value } }));
  return dir;
}

test('--tag-key takes every grouping (the --by values) and names them when refusing another', () => {
  const flags = parseTagKeyFlags(Object.values(CostGrouping).map((g) => `${g}=k-${g}`), 'cost');
  expect(flags).toEqual({ service: 'k-service', need: 'k-need', team: 'k-team', businessUnit: 'k-business-unit', customer: 'k-customer' });
  expect(() => parseTagKeyFlags(['businessUnit=x'], 'cost')).toThrow(/FIELD is one of service, need, customer, team, business-unit and KEY/);
});

test('cdk.json takes the TagKeys fields and the --by spellings', () => {
  expect(contextTagKeys(cdkJson({ 'businessUnit': 'bu', 'business-unit': 'bu2', 'service': 'app' })).keys).toEqual({ businessUnit: 'bu2', service: 'app' });
});

test.each(['constructor', 'toString', '__proto__'])('cdk.json field %s is refused, not taken from the object prototype', (field) => {
  // a plain object lookup found Object.prototype members: {"constructor": "x"} was taken silently as a field
  const dir = tempDir('cv-tag-mapping-');
  fs.writeFileSync(path.join(dir, 'cdk.json'), `{"context": {"customer-value:costDataTagKeys": {"${field}": "x"}}}`);
  expect(() => contextTagKeys(dir)).toThrow(new RegExp(`has the field "${field}": accepted fields are service, need, customer, team, businessUnit \\(or business-unit\\)`));
});
