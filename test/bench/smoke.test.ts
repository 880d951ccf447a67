import { FULL, runBench } from '../../bench/run';
import { tempDir } from '../util';

/**
 * The benchmark harness at a tiny size (2 services, a 2 000-line CUR export), so that it cannot rot. Nothing here is
 * timed: it only checks that every part produces well-formed results. `npx projen bench` runs the real sizes.
 */
describe('benchmark harness (smoke size)', () => {
  test('produces every variant, finite ratios, report, --allocate, attribution and Cost Explorer figures', async () => {
    // GIVEN the smallest sizes, scratch output in a temporary directory, the CLI run from the sources
    const outDir = tempDir('cv-bench-');
    const log: string[] = [];

    // WHEN
    const results = await runBench({
      ...FULL,
      sizes: [2],
      runs: 1,
      validationSizes: [],
      curRows: [2000],
      reportRuns: 1,
      cePages: [1, 3],
      outDir,
      cli: 'tsx',
      resultsDir: undefined,
      log: (m) => log.push(m),
    });

    // THEN every variant a-e and g was synthesized once, with templates
    const summary = results.synth!.summary;
    expect(summary.map((s) => s.variant)).toEqual(['a', 'b', 'c', 'd', 'e', 'g']);
    for (const s of summary) {
      expect(s.services).toBe(2);
      expect(s.wallMs).toBeGreaterThan(0);
      expect(s.cpuMs).toBeGreaterThan(0);
      expect(s.maxRssKb).toBeGreaterThan(0);
      expect(s.resources).toBeGreaterThan(0);
      expect(s.templateBytes).toBeGreaterThan(0);
      expect(s.synthError).toBeUndefined();
    }
    // the same user resources in a and b; reporting adds some
    const by = Object.fromEntries(summary.map((s) => [s.variant, s]));
    expect(by.b.resources).toBe(by.a.resources);
    expect(by.c.resources).toBeGreaterThan(by.b.resources);
    expect(by.c.publisherResources).toBeGreaterThan(0);
    expect(by.c.reportingResources).toBe(2); // a budget per service (the dashboard is the stack's: DashboardLayout.STACK)
    expect(by.g.reportingResources).toBe(2 * 2); // and a dashboard per service with DashboardLayout.SERVICE
    expect(results.synth!.stack25!.maxStackResources).toBeGreaterThan(0);

    // the ratios and per-resource figures are finite numbers
    const analysis = results.analysis!;
    expect(analysis.ratios.map((r) => r.name)).toEqual(['b/a', 'c/b', 'd/c', 'e/c', 'g/c']);
    for (const r of analysis.ratios) {
      expect(Number.isFinite(r.wall)).toBe(true);
      expect(Number.isFinite(r.cpu)).toBe(true);
      expect(Number.isFinite(r.wallFastest)).toBe(true);
      expect(Number.isFinite(r.cpuFastest)).toBe(true);
    }
    expect(Number.isFinite(analysis.perResource!.reportingMsPerResource)).toBe(true);
    expect(Number.isFinite(analysis.perResourceFastest!.reportingMsPerResource)).toBe(true);
    expect(Number.isFinite(analysis.template!.bytesAddedPerService)).toBe(true);

    // the report part compared the CLI with the bare query over the same export, and both found the same total
    const report = results.report!;
    expect(report.sizes).toHaveLength(1);
    expect(report.sizes[0].rows).toBe(2000);
    expect(Number.isFinite(report.sizes[0].ratio)).toBe(true);
    expect(report.sizes[0].cli.maxRssKb).toBeGreaterThan(0);
    expect(report.sizes[0].bare.maxRssKb).toBeGreaterThan(0);
    expect(report.sizes[0].total).toBeGreaterThan(0);
    expect(report.command).toContain('cost --source cur');

    // --allocate against the same report without it: both measured, the total conserved
    const allocate = results.allocate!;
    expect(allocate.sizes.map((x) => x.rows)).toEqual([2000]);
    expect(Number.isFinite(allocate.sizes[0].ratioFastest)).toBe(true);
    expect(Math.abs(allocate.sizes[0].fullyLoaded + allocate.sizes[0].unallocated - allocate.sizes[0].total)).toBeLessThan(0.005);
    expect(allocate.sizes[0].total).toBeCloseTo(report.sizes[0].total, 6);
    expect(analysis.targets.some((t) => t.target.startsWith('--allocate <= 1.3x'))).toBe(true);

    // attribution: the report with the 20 rules of bench/attribution.ts against the plain one over the export with the
    // untagged mix, both measured; tagged + attributed + unattributed = the total (checked by the harness too)
    const attribution = results.attribution!;
    expect(attribution.rules).toBe(20);
    expect(attribution.sizes.map((x) => [x.source, x.rows])).toEqual([['cur', 2000]]);
    expect(Number.isFinite(attribution.sizes[0].cpuRatio)).toBe(true);
    expect(attribution.sizes[0].attributed).not.toBe(0);
    expect(Math.abs(attribution.sizes[0].untagged - attribution.sizes[0].attributed - attribution.sizes[0].unattributed)).toBeLessThan(0.005);
    expect(analysis.targets.some((t) => t.target.startsWith('20 attribution rules <= 1.3x'))).toBe(true);

    // Cost Explorer: one request per result page
    expect(results.ce!.map((c) => [c.pages, c.httpRequests, c.reportedRequests])).toEqual([[1, 1, 1], [3, 3, 3]]);
    expect(analysis.targets.find((t) => t.target.startsWith('Cost Explorer'))!.met).toBe(true);
  }, 900_000);
});
