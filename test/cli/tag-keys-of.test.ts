import { CHECKOUT, WISHLIST } from './fixtures';
import { tagKeysOf } from '../../src/cost-data/declarations/tag-keys-of';
import { CostDataError } from '../../src/cost-data/errors';

/*
 * The tag keys a report queries come from the declarations it reads: cloud assemblies, registry entries (the CLI's
 * --registry, the scheduled packs) or the declarations shipped with ValueReviewReports. They must agree.
 */

test('declarations with different tag keys are refused naming both, whatever they were read from', () => {
  const renamed = { ...WISHLIST, tagKeys: { ...WISHLIST.tagKeys, service: 'org-customer-service' } };
  const read = () => tagKeysOf({ services: [{ record: CHECKOUT, stack: 'Shop' }, { record: renamed, stack: 'Ledger' }] });
  expect(read).toThrow(CostDataError);
  expect(read).toThrow(/^the declarations read use different tag keys \(checkout \(Shop\): \{.*"service":"customer-service".*\}, wishlist \(Ledger\): \{.*"service":"org-customer-service".*\}\): report on apps that share tag keys, one set at a time \(give each set its own --assembly folders or registry prefix\)$/);
});

test('declarations that agree give their keys; none gives the defaults', () => {
  expect(tagKeysOf({ services: [{ record: CHECKOUT, stack: 'Shop' }, { record: WISHLIST, stack: 'Shop' }] }).service).toBe(CHECKOUT.tagKeys.service);
  expect(tagKeysOf({ services: [] }).service).toBe('customer-service');
});
