import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { buildAssembly, CHECKOUT, record, REPORTS, runCli, SEARCH, shopAssembly, WISHLIST } from './fixtures';
import { ENTITY_NAME, ENTITY_TAG, entityName, entityTag } from '../../src/cost-data/report/catalog';
import { tempDir } from '../util';

function parse(yaml: string): any[] {
  const docs = YAML.parseAllDocuments(yaml);
  for (const d of docs) {
    expect(d.errors).toEqual([]);
  }
  return docs.map((d) => d.toJS());
}

function byKind(entities: any[], kind: string): any[] {
  return entities.filter((e) => e.kind === kind);
}

/** Every entity reference (`group:x`, a system or domain name) points at an entity in the file. */
function expectReferencesResolve(entities: any[]): void {
  const names = (kind: string) => new Set(byKind(entities, kind).map((e) => e.metadata.name));
  for (const c of byKind(entities, 'Component')) {
    expect(names('Group').has(c.spec.owner.replace(/^group:/, ''))).toBe(true);
    expect(names('System').has(c.spec.system)).toBe(true);
  }
  for (const s of byKind(entities, 'System')) {
    expect(names('Group').has(s.spec.owner.replace(/^group:/, ''))).toBe(true);
    expect(names('Domain').has(s.spec.domain)).toBe(true);
  }
  for (const g of byKind(entities, 'Group')) {
    for (const child of g.spec.children) expect(names('Group').has(child)).toBe(true);
    if (g.spec.parent) expect(names('Group').has(g.spec.parent)).toBe(true);
  }
}

/** Backstage's rules for what the catalog generates (names, tags, annotation keys, required spec fields). */
function expectValidEntities(entities: any[]): void {
  for (const e of entities) {
    expect(e.apiVersion).toBe('backstage.io/v1alpha1');
    expect(e.metadata.name).toMatch(ENTITY_NAME);
    expect(e.metadata.name.length).toBeLessThanOrEqual(63);
    for (const t of e.metadata.tags ?? []) {
      expect(t).toMatch(ENTITY_TAG);
      expect(t.length).toBeLessThanOrEqual(63);
    }
    for (const [k, v] of Object.entries(e.metadata.annotations ?? {})) {
      expect(k).toMatch(/^[a-z0-9.-]+\/[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$/);
      expect(typeof v).toBe('string');
    }
  }
  for (const c of byKind(entities, 'Component')) {
    expect(c.spec).toEqual(expect.objectContaining({ type: 'service', lifecycle: 'production' }));
  }
  for (const g of byKind(entities, 'Group')) {
    expect(Array.isArray(g.spec.children)).toBe(true);
  }
}

describe('customer-value catalog', () => {
  test('a Component per service, Groups for teams and business units, a System and Domain per unit', async () => {
    // GIVEN
    const cwd = tempDir();
    shopAssembly(path.join(cwd, 'cdk.out'));

    // WHEN
    const res = await runCli(['catalog'], { cwd });

    // THEN
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const entities = parse(res.stdout);
    expectValidEntities(entities);
    expectReferencesResolve(entities);
    expect(byKind(entities, 'Component').map((c) => c.metadata.name)).toEqual(['checkout', 'reports', 'search', 'wishlist']);
    expect(byKind(entities, 'Group').map((g) => [g.metadata.name, g.spec.type])).toEqual([
      ['data', 'team'], ['discovery', 'team'], ['payments', 'team'], ['finance', 'business-unit'], ['retail', 'business-unit'],
    ]);
    expect(byKind(entities, 'System').map((s) => [s.metadata.name, s.spec.domain, s.spec.owner])).toEqual([
      ['finance', 'finance', 'group:finance'], ['retail', 'retail', 'group:retail'],
    ]);
    expect(byKind(entities, 'Domain').map((d) => d.metadata.name)).toEqual(['finance', 'retail']);
    const checkout = byKind(entities, 'Component')[0];
    expect(checkout).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'checkout',
        description: 'Shoppers pay for their basket in one step',
        tags: ['customer-value', 'external-customer'],
        annotations: {
          'customer-value/need': 'Shoppers pay for their basket in one step',
          'customer-value/customer': 'external:Online shoppers',
          'customer-value/team': 'payments',
          'customer-value/business-unit': 'retail',
          'customer-value/value-review': 'ok, every 90 days, last 2026-10-01, next 2026-12-30, reviewer retail-board',
          'customer-value/cost-reporting': 'on',
          'customer-value/stack': 'Shop',
          'aws.amazon.com/cost-insights-tags': 'customer-service=checkout',
          'customer-value/unit-metric': 'per 1000 orders',
          'customer-value/account': '111111111111',
          'customer-value/region': 'eu-west-1',
        },
      },
      spec: { type: 'service', lifecycle: 'production', owner: 'group:payments', system: 'retail' },
    });
    // The need with quotes, a comma and a pipe survives the YAML round trip.
    expect(byKind(entities, 'Component')[1].metadata.description).toBe(REPORTS.customerNeed);
    expect(byKind(entities, 'Component')[1].metadata.annotations['customer-value/customer']).toBe('internal:=Finance controlling');
    // Teams that serve one unit sit under it.
    expect(byKind(entities, 'Group').find((g) => g.metadata.name === 'retail').spec.children).toEqual(['discovery', 'payments']);
  });

  test('the outcome and note of the last value review are annotations', async () => {
    // GIVEN
    const cwd = tempDir();
    const retired = record({
      serviceName: 'wishlist',
      customerNeed: WISHLIST.customerNeed,
      customer: WISHLIST.customer,
      team: 'discovery',
      businessUnit: 'retail',
      review: { status: 'ok', next: '2027-03-01', last: '2026-09-01', outcome: 'retire', note: 'Merged into "saved items": retire by Q1' },
      stackName: 'Shop',
    });
    buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, retired] }]);
    // WHEN
    const res = await runCli(['catalog'], { cwd });
    // THEN
    expect(res.code).toBe(0);
    const [checkout, wishlist] = byKind(parse(res.stdout), 'Component');
    expect(wishlist.metadata.annotations).toMatchObject({
      'customer-value/review-outcome': 'retire (2026-09-01)',
      'customer-value/review-note': 'Merged into "saved items": retire by Q1',
    });
    expect(Object.keys(checkout.metadata.annotations)).not.toContain('customer-value/review-outcome');
  });

  test('--out writes catalog-info.yaml; a service deployed by two stages is one Component', async () => {
    const cwd = tempDir();
    buildAssembly(path.join(cwd, 'cdk.out'), [], [
      { name: 'Beta', stacks: [{ id: 'BetaShop', stackName: 'Beta-Shop', services: [CHECKOUT, WISHLIST] }] },
      { name: 'Prod', stacks: [{ id: 'ProdShop', stackName: 'Prod-Shop', services: [CHECKOUT, WISHLIST, SEARCH] }] },
    ]);
    const res = await runCli(['catalog', '--out', 'catalog-info.yaml'], { cwd });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('customer-value: wrote 8 entities to catalog-info.yaml\n');
    const entities = parse(fs.readFileSync(path.join(cwd, 'catalog-info.yaml'), 'utf8'));
    expectValidEntities(entities);
    expectReferencesResolve(entities);
    const components = byKind(entities, 'Component');
    expect(components.map((c) => c.metadata.name)).toEqual(['checkout', 'search', 'wishlist']);
    expect(components[0].metadata.annotations['customer-value/stages']).toBe('Beta, Prod');
  });

  test('names that Backstage would reject are derived, and the original kept as title', async () => {
    const cwd = tempDir();
    const odd = record({
      serviceName: 'order__history',
      customerNeed: 'Shoppers see what they ordered',
      customer: { kind: 'external', name: 'Online shoppers' },
      team: 'data platform',
      businessUnit: 'data platform',
      stackName: 'Odd',
    });
    buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Odd', services: [odd] }]);
    const res = await runCli(['catalog'], { cwd });
    expect(res.code).toBe(0);
    const entities = parse(res.stdout);
    expectValidEntities(entities);
    expectReferencesResolve(entities);
    const groups = byKind(entities, 'Group');
    // A team and a business unit with the same name are both Groups: the unit's name gets a hash suffix.
    expect(groups.map((g) => g.metadata.name)).toEqual(['data-platform', expect.stringMatching(/^data-platform-[0-9a-f]{8}$/)]);
    expect(groups.map((g) => g.metadata.title)).toEqual(['data platform', 'data platform']);
    expect(byKind(entities, 'Component')[0].metadata.name).toBe('order-history');
    expect(byKind(entities, 'Component')[0].metadata.title).toBe('order__history');
  });

  test('no services: one line, exit code 1', async () => {
    const cwd = tempDir();
    buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Empty', services: [] }]);
    const res = await runCli(['catalog'], { cwd });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('customer-value: no customer services declared in cdk.out: nothing to catalog\n');
  });
});

describe('entityName (Backstage: 1-63 characters, [A-Za-z0-9] separated by one of - _ .)', () => {
  test.each([
    ['checkout', 'checkout'],
    ['order.history', 'order.history'],
    ['data platform', 'data-platform'],
    ['Équipe café', 'Equipe-cafe'],
    ['a__b', 'a-b'],
    ['-edge-', 'edge'],
    ['team:payments/eu', 'team-payments-eu'],
  ])('%j -> %j', (value, name) => {
    expect(entityName(value)).toBe(name);
  });

  test('long names are cut and get a hash, so two long names stay distinct', () => {
    const a = entityName(`${'x'.repeat(70)}a`);
    const b = entityName(`${'x'.repeat(70)}b`);
    expect(a).toMatch(ENTITY_NAME);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
  });

  test('text without Latin letters or digits gets a hash name', () => {
    expect(entityName('日本語')).toMatch(/^x-[0-9a-f]{16}$/);
  });

  test('entityTag', () => {
    expect(entityTag('External')).toBe('external');
    expect(entityTag('Data & Analytics')).toBe('data-analytics');
    expect(entityTag('x'.repeat(80)).length).toBe(63);
  });
});
