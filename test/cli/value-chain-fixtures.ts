import * as path from 'path';
import { buildAssembly, CHECKOUT, curCsv, line, record, SEARCH, WISHLIST } from './fixtures';
import { ServiceDeclarationRecord } from '../../src/declaration/record';

/**
 * A value chain over two apps, with round numbers:
 * - platform app: private-network (proportional, the default), data-platform (consumes private-network; fixed
 *   60 % checkout, 40 % search);
 * - shop app: checkout (consumes private-network and data-platform), search (consumes data-platform and
 *   private-network), wishlist (consumes private-network).
 *
 * Direct cost over two days: private-network 280, data-platform 300, checkout 800, search 200, wishlist 100,
 * untagged 50 (total 1 730). The network's 280 go by direct cost (checkout 800, data-platform 300, search 200,
 * wishlist 100: 160, 60, 40, 20); data-platform passes on 360 (60 %: 216 to checkout, 40 %: 144 to search).
 * Fully loaded: checkout 1 176, search 384, wishlist 120, the providers 0, untagged 50.
 */
export const NETWORK = record({
  serviceName: 'private-network',
  customerNeed: 'Service teams run their workloads in a private network',
  customer: { kind: 'internal', name: 'Service teams' },
  team: 'platform',
  businessUnit: 'technology',
  stackName: 'Network',
});

export const DATA_PLATFORM = record({
  serviceName: 'data-platform',
  customerNeed: 'Product teams query shop events without running a warehouse',
  customer: { kind: 'internal', name: 'Product teams' },
  team: 'data',
  businessUnit: 'technology',
  stackName: 'Data',
  consumes: ['private-network'],
  allocation: { method: 'fixed', percentages: { checkout: 60, search: 40 } },
});

export const CHAIN_CHECKOUT: ServiceDeclarationRecord = { ...CHECKOUT, consumes: ['private-network', 'data-platform'] };
export const CHAIN_SEARCH: ServiceDeclarationRecord = { ...SEARCH, consumes: ['data-platform', 'private-network'] };
export const CHAIN_WISHLIST: ServiceDeclarationRecord = { ...WISHLIST, consumes: ['private-network'] };

export const EXPECTED = {
  total: 1730,
  fullyLoaded: { 'checkout': 1176, 'search': 384, 'wishlist': 120, 'private-network': 0, 'data-platform': 0, '': 50 } as Record<string, number>,
};

/** The two apps' cloud assemblies under `dir` (platform.out, shop.out); returns their paths. */
export function chainAssemblies(dir: string, platform: ServiceDeclarationRecord[] = [NETWORK, DATA_PLATFORM],
  shop: ServiceDeclarationRecord[] = [CHAIN_CHECKOUT, CHAIN_SEARCH, CHAIN_WISHLIST]): { platform: string; shop: string } {
  return {
    platform: buildAssembly(path.join(dir, 'platform.out'), [{ id: 'Platform', services: platform }]),
    shop: buildAssembly(path.join(dir, 'shop.out'), [{ id: 'Shop', services: shop }]),
  };
}

/** The CUR 2.0 tags a service's resources carry (`user_` keys). */
function tagsOf(r: ServiceDeclarationRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(r.tags).map(([k, v]) => [`user_${k.replace(/-/g, '_')}`, v]));
}

/** The CUR 2.0 CSV of the chain's costs (2026-10-01 and 2026-10-02). */
export function chainCur(file: string): string {
  const d1 = '2026-10-01';
  const d2 = '2026-10-02';
  return curCsv(file, [
    line(d1, 140, tagsOf(NETWORK)),
    line(d2, 140, tagsOf(NETWORK)),
    line(d1, 150, tagsOf(DATA_PLATFORM)),
    line(d2, 150, tagsOf(DATA_PLATFORM)),
    line(d1, 500, tagsOf(CHECKOUT)),
    line(d2, 300, tagsOf(CHECKOUT)),
    line(d1, 200, tagsOf(SEARCH)),
    line(d2, 100, tagsOf(WISHLIST)),
    line(d1, 50, {}),
  ]);
}
