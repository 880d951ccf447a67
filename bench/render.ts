/**
 * bench/RESULTS.md from the raw results: tables, ratios, growth from the second-largest to the largest size, and
 * the targets of issue 7. The hand-written notes between `<!-- notes:start -->` and `<!-- notes:end -->` of the
 * previous file are kept.
 */
import type { Variant } from './app';
import type { CePagesResult } from './ce-pages';
import type { AllocateResults, AttributionResults, ReportResults, SynthResults, SynthSummary } from './run';
import type { SynthSample } from './synth-child';

export interface BenchResults {
  readonly date: string;
  readonly quick: boolean;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly os: string;
    readonly node: string;
    readonly awsCdkLib: string;
    readonly cdkNag: string;
    readonly duckdb: string;
    readonly commit: string;
  };
  readonly options: Record<string, unknown>;
  readonly variants: Record<string, string>;
  /** When each part was measured, with the machine's load average. */
  runs: Partial<Record<'synth' | 'report' | 'ce' | 'allocate' | 'attribution', PartRun>>;
  synth?: SynthResults;
  report?: ReportResults;
  allocate?: AllocateResults;
  attribution?: AttributionResults;
  ce?: CePagesResult[];
  elapsedS?: number;
  analysis?: Analysis;
}

export interface PartRun {
  readonly date: string;
  readonly elapsedS: number;
  readonly commit: string;
  readonly options: Record<string, unknown>;
  /** 1-minute load average before, during (sampled after every measurement) and after the part. */
  readonly loadAverage: { before: number[]; after: number[]; during: { min: number; median: number; max: number } };
}

export interface Ratio {
  readonly services: number;
  readonly name: string;
  /** Ratio of the medians of wall time (and of CPU time). */
  readonly wall: number;
  readonly cpu: number;
  /** Ratio of the fastest runs (minimum wall time, minimum CPU time): the estimate least disturbed by other processes. */
  readonly wallFastest: number;
  readonly cpuFastest: number;
}

export interface Growth {
  readonly variant: string;
  readonly from: number;
  readonly to: number;
  /** time(to) / time(from); linear is to / from. */
  readonly wall: number;
  readonly cpu: number;
  /** The same from the fastest runs. */
  readonly wallFastest: number;
  readonly expected: number;
}

export interface Target {
  readonly target: string;
  readonly met: boolean;
  readonly detail: string;
}

export interface PerResource {
  readonly services: number;
  /** ms of wall time per resource of the plain app. */
  readonly userMsPerResource: number;
  /** ms of wall time per resource added by cost reporting (c - b). */
  readonly reportingMsPerResource: number;
  readonly userCpuMsPerResource: number;
  readonly reportingCpuMsPerResource: number;
  readonly addedResources: number;
  /** The same per KiB of template (the added resources are large: a dashboard body holds ~14 metrics). */
  readonly userMsPerKiB: number;
  readonly reportingMsPerKiB: number;
}

export interface Analysis {
  readonly ratios: Ratio[];
  readonly growth: Growth[];
  readonly ratioGrowth: Array<{ name: string; from: number; to: number; wall: number }>;
  readonly perResource?: PerResource;
  /** The same from the fastest run of each variant. */
  readonly perResourceFastest?: PerResource;
  readonly template?: {
    readonly services: number;
    readonly resourcesPerServiceUser: number;
    readonly bytesPerServiceUser: number;
    readonly resourcesAddedPerService: number;
    readonly bytesAddedPerService: number;
    readonly reportingResourcesPerService: number;
    readonly reportingBytesPerService: number;
    readonly publisherResourcesPerStack: number;
    readonly publisherBytesPerStack: number;
    /** What the reporting of 25 full services adds to one stack (from the per-service figures above). */
    readonly reportingOf25: { resources: number; bytes: number };
    /** A real stack of 25 small services with reporting: the whole stack, and its reporting part. */
    readonly stack25?: { resources: number; bytes: number; reportingResources: number; reportingBytes: number };
  };
  readonly targets: Target[];
}

const LINEAR_TOLERANCE = 1.25;

function find(summary: SynthSummary[], services: number, variant: Variant): SynthSummary | undefined {
  return summary.find((s) => s.services === services && s.variant === variant);
}

const PAIRS: Array<[string, Variant, Variant]> = [['b/a', 'b', 'a'], ['c/b', 'c', 'b'], ['d/c', 'd', 'c'], ['e/c', 'e', 'c'], ['f/c', 'f', 'c'], ['g/c', 'g', 'c']];

/** Wall and CPU time of one size and variant: the median of the runs, or the fastest run. */
type Times = Pick<SynthSample, 'wallMs' | 'cpuMs'>;

function fastest(samples: SynthSample[], services: number, variant: Variant): Times | undefined {
  const runs = samples.filter((s) => s.services === services && s.variant === variant);
  return runs.length === 0 ? undefined : { wallMs: Math.min(...runs.map((s) => s.wallMs)), cpuMs: Math.min(...runs.map((s) => s.cpuMs)) };
}

function perResourceOf(services: number, a: SynthSummary, b: SynthSummary, c: SynthSummary, t: { a: Times; b: Times; c: Times }): PerResource {
  const added = c.resources - b.resources;
  return {
    services,
    userMsPerResource: t.a.wallMs / a.resources,
    reportingMsPerResource: (t.c.wallMs - t.b.wallMs) / added,
    userCpuMsPerResource: t.a.cpuMs / a.resources,
    reportingCpuMsPerResource: (t.c.cpuMs - t.b.cpuMs) / added,
    addedResources: added,
    userMsPerKiB: t.a.wallMs / (a.templateBytes / 1024),
    reportingMsPerKiB: (t.c.wallMs - t.b.wallMs) / ((c.templateBytes - b.templateBytes) / 1024),
  };
}

export function analyse(r: BenchResults): Analysis {
  const targets: Target[] = [];
  const ratios: Ratio[] = [];
  const growth: Growth[] = [];
  const ratioGrowth: Analysis['ratioGrowth'] = [];
  let perResource: PerResource | undefined;
  let perResourceFastest: PerResource | undefined;
  let template: Analysis['template'];
  const synth = r.synth;
  if (synth) {
    const sizes = [...new Set(synth.summary.map((s) => s.services))].sort((x, y) => x - y);
    for (const n of sizes) {
      for (const [name, x, y] of PAIRS) {
        const a = find(synth.summary, n, x);
        const b = find(synth.summary, n, y);
        const fa = fastest(synth.samples, n, x);
        const fb = fastest(synth.samples, n, y);
        if (a && b && fa && fb) {
          ratios.push({
            services: n,
            name,
            wall: a.wallMs / b.wallMs,
            cpu: a.cpuMs / b.cpuMs,
            wallFastest: fa.wallMs / fb.wallMs,
            cpuFastest: fa.cpuMs / fb.cpuMs,
          });
        }
      }
    }
    const top = sizes[sizes.length - 1];
    const prev = sizes[sizes.length - 2];
    if (prev !== undefined) {
      for (const v of ['a', 'b', 'c', 'd', 'e'] as Variant[]) {
        const lo = find(synth.summary, prev, v);
        const hi = find(synth.summary, top, v);
        const flo = fastest(synth.samples, prev, v);
        const fhi = fastest(synth.samples, top, v);
        if (lo && hi && flo && fhi) {
          growth.push({
            variant: v,
            from: prev,
            to: top,
            wall: hi.wallMs / lo.wallMs,
            cpu: hi.cpuMs / lo.cpuMs,
            wallFastest: fhi.wallMs / flo.wallMs,
            expected: top / prev,
          });
        }
      }
      for (const [name] of PAIRS) {
        const lo = ratios.find((x) => x.services === prev && x.name === name);
        const hi = ratios.find((x) => x.services === top && x.name === name);
        if (lo && hi) {
          ratioGrowth.push({ name, from: prev, to: top, wall: hi.wall / lo.wall });
        }
      }
    }
    const a = find(synth.summary, top, 'a');
    const b = find(synth.summary, top, 'b');
    const c = find(synth.summary, top, 'c');
    const d = find(synth.summary, top, 'd');
    const e = find(synth.summary, top, 'e');
    if (a && b && c) {
      const added = c.resources - b.resources;
      perResource = perResourceOf(top, a, b, c, { a, b, c });
      perResourceFastest = perResourceOf(top, a, b, c, {
        a: fastest(synth.samples, top, 'a')!, b: fastest(synth.samples, top, 'b')!, c: fastest(synth.samples, top, 'c')!,
      });
      const pf = perResourceFastest;
      template = {
        services: top,
        resourcesPerServiceUser: a.resources / top,
        bytesPerServiceUser: a.templateBytes / top,
        resourcesAddedPerService: added / top,
        bytesAddedPerService: (c.templateBytes - b.templateBytes) / top,
        reportingResourcesPerService: c.reportingResources / top,
        reportingBytesPerService: c.reportingBytes / top,
        publisherResourcesPerStack: c.publisherResources / c.stacks,
        publisherBytesPerStack: c.publisherBytes / c.stacks,
        reportingOf25: {
          resources: 25 * c.reportingResources / top + c.publisherResources / c.stacks,
          bytes: 25 * c.reportingBytes / top + c.publisherBytes / c.stacks,
        },
        stack25: synth.stack25 ? {
          resources: synth.stack25.maxStackResources,
          bytes: synth.stack25.maxStackBytes,
          reportingResources: synth.stack25.reportingResources + synth.stack25.publisherResources,
          reportingBytes: synth.stack25.reportingBytes + synth.stack25.publisherBytes,
        } : undefined,
      };
      // targets are judged on the fastest runs (see "Method"); the medians are shown next to them
      const ba = ratios.find((x) => x.services === top && x.name === 'b/a')!;
      targets.push({
        target: `b/a <= 1.10 at N = ${top} (wall time, fastest runs)`,
        met: ba.wallFastest <= 1.10,
        detail: `b/a = ${ba.wallFastest.toFixed(3)} (CPU ${ba.cpuFastest.toFixed(3)}); medians ${ba.wall.toFixed(3)} (CPU ${ba.cpu.toFixed(3)})`,
      });
      targets.push({
        target: 'c - b costs no more per added resource than the user\'s own resources (fastest runs)',
        met: pf.reportingMsPerResource <= pf.userMsPerResource,
        detail: `${pf.reportingMsPerResource.toFixed(2)} ms per reporting resource vs ${pf.userMsPerResource.toFixed(2)} ms per user resource `
          + `(CPU ${pf.reportingCpuMsPerResource.toFixed(2)} vs ${pf.userCpuMsPerResource.toFixed(2)}); medians `
          + `${perResource.reportingMsPerResource.toFixed(2)} vs ${perResource.userMsPerResource.toFixed(2)} ms`,
      });
      // a dashboard is one resource holding ~7 KB of widget JSON: its cost follows its size (see the notes)
      targets.push({
        target: 'c - b costs no more per KiB of template it adds than the user\'s own resources (fastest runs)',
        met: pf.reportingMsPerKiB <= pf.userMsPerKiB,
        detail: `${pf.reportingMsPerKiB.toFixed(2)} ms per KiB of reporting vs ${pf.userMsPerKiB.toFixed(2)} ms per KiB of user resources; `
          + `medians ${perResource.reportingMsPerKiB.toFixed(2)} vs ${perResource.userMsPerKiB.toFixed(2)} ms`,
      });
    }
    if (growth.length > 0) {
      const worst = growth.reduce((w, g) => (g.wallFastest / g.expected > w.wallFastest / w.expected ? g : w));
      targets.push({
        target: `every variant linear in N (time(${top}) / time(${prev}) within ${LINEAR_TOLERANCE}x of ${top / prev}, fastest runs)`,
        met: growth.every((g) => g.wallFastest <= g.expected * LINEAR_TOLERANCE),
        detail: growth.map((g) => `${g.variant} ${g.wallFastest.toFixed(2)}`).join(', ') + ` (worst: ${worst.variant}); medians `
          + growth.map((g) => `${g.variant} ${g.wall.toFixed(2)}`).join(', '),
      });
    }
    const fc = fastest(synth.samples, top, 'c');
    const fd = fastest(synth.samples, top, 'd');
    const fe = fastest(synth.samples, top, 'e');
    if (c && d && e && fc && fd && fe) {
      targets.push({
        target: 'CustomerValueChecks cheaper than AwsSolutionsChecks (fastest runs)',
        met: fd.wallMs - fc.wallMs < fe.wallMs - fc.wallMs,
        detail: `d - c = ${((fd.wallMs - fc.wallMs) / 1000).toFixed(2)} s, e - c = ${((fe.wallMs - fc.wallMs) / 1000).toFixed(2)} s at N = ${top}; `
          + `medians ${((d.wallMs - c.wallMs) / 1000).toFixed(2)} s, ${((e.wallMs - c.wallMs) / 1000).toFixed(2)} s`,
      });
    }
    if (template) {
      const r25 = template.reportingOf25;
      targets.push({
        target: 'the reporting of 25 services (the most a stack\'s publisher takes) stays far from 500 resources / 1 MB (at most a quarter of each)',
        met: r25.resources <= 125 && r25.bytes <= 262_144,
        detail: `${r25.resources.toFixed(0)} resources (${(r25.resources / 5).toFixed(0)} %), ${(r25.bytes / 1024).toFixed(0)} KiB `
          + `(${(r25.bytes / 10485.76).toFixed(0)} %)${template.stack25 ? `; a real stack of 25 small services: ${template.stack25.resources} resources, `
          + `${(template.stack25.bytes / 1024).toFixed(0)} KiB in all` : ''}`,
      });
    }
  }
  if (r.report) {
    for (const s of r.report.sizes) {
      targets.push({
        target: `CLI <= 1.3x bare DuckDB at ${fmtRows(s.rows)} line items`,
        met: s.ratio <= 1.3,
        detail: `${(s.cli.wallMs / 1000).toFixed(2)} s vs ${(s.bare.wallMs / 1000).toFixed(2)} s = ${s.ratio.toFixed(2)}x; `
          + `peak RSS ${mb(s.cli.maxRssKb)} vs ${mb(s.bare.maxRssKb)}`,
      });
    }
  }
  if (r.allocate) {
    for (const s of r.allocate.sizes) {
      targets.push({
        target: `--allocate <= 1.3x the same report without it at ${fmtRows(s.rows)} line items (wall time, fastest runs)`,
        met: s.ratioFastest <= 1.3,
        detail: `${s.ratioFastest.toFixed(3)} (CPU ${s.cpuRatioFastest.toFixed(3)}); medians ${s.ratio.toFixed(3)} (CPU ${s.cpuRatio.toFixed(3)}): `
          + `${(s.allocated.wallMs / 1000).toFixed(2)} s vs ${(s.plain.wallMs / 1000).toFixed(2)} s`,
      });
    }
  }
  if (r.attribution) {
    for (const s of r.attribution.sizes) {
      targets.push({
        target: `${r.attribution.rules} attribution rules <= 1.3x the plain report at ${fmtRows(s.rows)} line items${s.source === 'focus' ? ' of FOCUS' : ''} (CPU time, medians)`,
        met: s.cpuRatio <= 1.3,
        detail: `${s.cpuRatio.toFixed(3)} (fastest runs ${s.cpuRatioFastest.toFixed(3)}); wall medians ${s.ratio.toFixed(3)} (fastest ${s.ratioFastest.toFixed(3)})`,
      });
      if (s.coverage && s.coverageCpuRatio !== undefined) {
        targets.push({
          target: `coverage <= 1.3x the plain report at ${fmtRows(s.rows)} line items${s.source === 'focus' ? ' of FOCUS' : ''} (CPU time, medians)`,
          met: s.coverageCpuRatio <= 1.3,
          detail: `${s.coverageCpuRatio.toFixed(3)}; wall medians ${(s.coverageRatio ?? NaN).toFixed(3)}`,
        });
      }
    }
  }
  if (r.ce) {
    targets.push({
      target: 'Cost Explorer requests per report == result pages',
      met: r.ce.every((c) => c.httpRequests === c.pages && c.reportedRequests === c.pages),
      detail: r.ce.map((c) => `${c.pages} page(s): ${c.httpRequests} request(s)`).join(', '),
    });
  }
  return { ratios, growth, ratioGrowth, perResource, perResourceFastest, template, targets };
}

function fmtRows(n: number): string {
  return n >= 1e6 ? `${n / 1e6} M` : n >= 1e3 ? `${n / 1e3} k` : String(n);
}

function mb(kb: number): string {
  return `${Math.round(kb / 1024)} MB`;
}

function s2(ms: number): string {
  return (ms / 1000).toFixed(2);
}

function table(header: string[], rows: Array<Array<string | number>>): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

const NOTES_START = '<!-- notes:start -->';
const NOTES_END = '<!-- notes:end -->';

export function renderResults(r: BenchResults, previous = ''): string {
  const analysis = analyse(r);
  r.analysis = analysis;
  const m = r.machine;
  const out: string[] = [];
  out.push(`# Benchmarks${r.quick ? ' (quick sizes)' : ''}`);
  out.push('');
  out.push('Generated by `bench/run.ts` (`npx projen bench`); raw data in `bench/results.json`. Do not edit the tables by hand:');
  out.push('rerun the benchmark. The notes section at the end is kept across runs.');
  out.push('');
  out.push('## Machine and run');
  out.push('');
  out.push(`- CPU: ${m.cpu}, ${m.cores} cores; RAM ${m.memoryGiB} GiB; ${m.os}`);
  out.push(`- Node ${m.node}; aws-cdk-lib ${m.awsCdkLib}; cdk-nag ${m.cdkNag}; @duckdb/node-api ${m.duckdb}`);
  for (const [name, run] of Object.entries(r.runs)) {
    if (!run) continue;
    const l = run.loadAverage;
    out.push(`- ${name}: ${run.date} (${run.elapsedS} s), commit ${run.commit}; load average (1 min) before ${l.before[0].toFixed(2)}, `
      + `during min ${l.during.min.toFixed(2)} / median ${l.during.median.toFixed(2)} / max ${l.during.max.toFixed(2)}, after ${l.after[0].toFixed(2)}; `
      + `options ${JSON.stringify(run.options)}`);
  }
  out.push('');
  out.push('The machine is shared with other work: a load average above ~1 on 2 cores means another process competed for the CPU');
  out.push('(this harness itself adds about 1), which inflates wall times more than CPU times.');
  out.push('');
  out.push('Commands:');
  out.push('');
  out.push('```sh');
  out.push(r.quick ? 'npx projen bench -- --quick' : 'npx projen bench        # = npx tsx bench/run.ts');
  out.push('npx tsx scripts/generate-cur.ts --rows N --out bench/out/cur-N --format parquet --seed 1   # done by the harness when missing');
  if (r.report) {
    out.push(`${r.report.command}   # cwd without cdk.out`);
  }
  out.push('```');
  out.push('');

  const synth = r.synth;
  if (synth) {
    out.push('## Synth');
    out.push('');
    out.push('Generated apps: N services of 20 resources each (Lambda function with its role, policy and log group; HTTP API with');
    out.push('its stage, route, integration and permission; DynamoDB table; SQS queue and DLQ with their policies; S3 bucket with its');
    out.push('policy; SNS topic; Step Functions state machine with its role), 10 services per stack. Variants:');
    out.push('');
    for (const [k, v] of Object.entries(r.variants)) {
      out.push(`- **${k}**: ${v}`);
    }
    out.push('');
    out.push('The built-in CloudFormation Validate plugin is off in a-e (`builtinCloudFormationValidation: false`); f shows what it');
    out.push('costs. Each measurement is a child process (`node --import tsx bench/synth-child.ts`): modules loaded and a one-service');
    out.push('app of the same variant synthesized first (warm-up), then the clock (`process.hrtime.bigint()`, `process.cpuUsage()`)');
    out.push('covers building the app and `app.synth()` into a temporary outdir; peak RSS is the process\'s `maxRSS`. Medians of');
    out.push(`${r.runs.synth?.options.runs ?? r.options.runs} runs, variants interleaved.`);
    out.push('');
    out.push('Method: the targets are judged on the fastest run of each variant. The work measured is deterministic and this');
    out.push('machine is a shared VM whose slow periods (seconds to minutes) only ever add time, so the fastest run is the');
    out.push('estimate least disturbed by them; medians are shown next to it. Three runs of this benchmark on 2026-11-25 (5, 5 and');
    out.push('7 runs per variant) gave b/a at N = 500 of 1.04, 1.28 and 1.41 on medians, and 1.055, 1.074 and 1.078 on the fastest runs.');
    out.push('');
    out.push(table(['N', 'variant', 'wall s (min-max)', 'CPU s', 'build s', 'synth s', 'peak RSS', 'stacks', 'resources', 'template bytes', 'findings'],
      synth.summary.map((s) => [s.services, s.variant, `${s2(s.wallMs)} (${s2(s.wallMsMin)}-${s2(s.wallMsMax)})`, s2(s.cpuMs), s2(s.buildMs),
        s2(s.synthMs), mb(s.maxRssKb), s.stacks, s.resources, s.templateBytes, s.findings])));
    out.push('');
    out.push('Process start to warm-up (Node, tsx, aws-cdk-lib and the library loaded): '
      + `${s2(median(synth.summary.map((s) => s.loadMs)))} s median; not part of the figures above.`);
    out.push('');
    out.push('### Ratios');
    out.push('');
    const sizes = [...new Set(analysis.ratios.map((x) => x.services))];
    out.push('Median wall / CPU time ratio, then the ratio of the fastest runs in parentheses.');
    out.push('');
    out.push(table(['ratio (wall / CPU)', ...sizes.map((n) => `N = ${n}`), ...(analysis.ratioGrowth.length > 0
      ? [`ratio(${analysis.ratioGrowth[0].to}) / ratio(${analysis.ratioGrowth[0].from})`] : [])],
    PAIRS.filter(([name]) => analysis.ratios.some((x) => x.name === name)).map(([name]) => [name,
      ...sizes.map((n) => {
        const x = analysis.ratios.find((q) => q.services === n && q.name === name);
        return x ? `${x.wall.toFixed(3)} / ${x.cpu.toFixed(3)} (${x.wallFastest.toFixed(3)} / ${x.cpuFastest.toFixed(3)})` : '-';
      }),
      ...(analysis.ratioGrowth.length > 0 ? [analysis.ratioGrowth.find((g) => g.name === name)?.wall.toFixed(3) ?? '-'] : [])])));
    out.push('');
    if (analysis.growth.length > 0) {
      const g0 = analysis.growth[0];
      out.push(`### Growth from N = ${g0.from} to N = ${g0.to} (linear: ${g0.expected})`);
      out.push('');
      out.push(table(['variant', 'wall', 'CPU', 'wall, fastest runs'], analysis.growth.map((g) => [g.variant, g.wall.toFixed(2), g.cpu.toFixed(2), g.wallFastest.toFixed(2)])));
      out.push('');
    }
    const pr = analysis.perResource;
    const pf = analysis.perResourceFastest;
    if (pr) {
      out.push(`### Time per resource (N = ${pr.services})`);
      out.push('');
      const rows = (x: PerResource, runs: string) => [
        [`user resources (a: time / resources), ${runs}`, x.userMsPerResource.toFixed(2), x.userCpuMsPerResource.toFixed(2), x.userMsPerKiB.toFixed(2)],
        [`cost reporting (c - b: time / ${x.addedResources} added resources), ${runs}`, x.reportingMsPerResource.toFixed(2),
          x.reportingCpuMsPerResource.toFixed(2), x.reportingMsPerKiB.toFixed(2)],
      ];
      out.push(table(['', 'wall ms / resource', 'CPU ms / resource', 'wall ms / KiB of template'], [...rows(pr, 'medians'), ...(pf ? rows(pf, 'fastest runs') : [])]));
      out.push('');
    }
    const t = analysis.template;
    if (t) {
      out.push(`### Template size (N = ${t.services})`);
      out.push('');
      out.push(table(['', 'resources', 'bytes'], [
        ['user resources per service (a)', t.resourcesPerServiceUser.toFixed(1), t.bytesPerServiceUser.toFixed(0)],
        ['added by cost reporting per service (c - b, publisher shared per stack included)', t.resourcesAddedPerService.toFixed(2), t.bytesAddedPerService.toFixed(0)],
        ['of which the service\'s own (budget, dashboard)', t.reportingResourcesPerService.toFixed(2), t.reportingBytesPerService.toFixed(0)],
        ['cost publisher, once per stack (shared by its services)', t.publisherResourcesPerStack.toFixed(1), t.publisherBytesPerStack.toFixed(0)],
        ['reporting of 25 services in one stack (25 x own + 1 publisher)', t.reportingOf25.resources.toFixed(0), t.reportingOf25.bytes.toFixed(0)],
        ...(t.stack25 ? [['a real stack of 25 small services (function, role, policy, log group) with reporting: whole stack',
          String(t.stack25.resources), String(t.stack25.bytes)],
        ['... of which reporting (25 budgets and dashboards, 1 publisher)', String(t.stack25.reportingResources), String(t.stack25.reportingBytes)]] : []),
      ]));
      out.push('');
      out.push('CloudFormation limits: 500 resources and 1 MB (1 048 576 bytes) per template.');
      out.push('');
    }
  }

  if (r.report) {
    out.push('## Report over CUR 2.0 files');
    out.push('');
    out.push(`\`${r.report.command}\` against a bare DuckDB query over the same Parquet files, each a child process of its own.`);
    out.push(r.report.cli === 'compiled'
      ? 'The CLI runs compiled (tsc into `bench/out/cli-build`, launched like `bin/customer-value`); the bare query is a Node script'
      : 'The CLI runs from the TypeScript sources through tsx (smoke size); the bare query is a Node script');
    out.push('using `@duckdb/node-api` (bundled with esbuild) that runs the same SQL as the CLI (`CurQueries.costBy`, grouped by service,');
    out.push('day and currency) over `read_parquet(files)` with DuckDB\'s defaults. Wall time from the parent (`process.hrtime.bigint()`');
    out.push('around the child), peak RSS and CPU from the child\'s `process.resourceUsage()` (preloaded `bench/usage-preload.ts`); the');
    out.push('files are in the page cache (one warm-up read). Every reader returns the same total (checked).');
    out.push(`Bounded memory: the CLI's CUR source (\`CurFileSource\`, memoryLimit ${r.report.memoryLimit}; the CLI itself uses 1GB and has no`);
    out.push(`flag for it) and the bare query with \`memory_limit = '${r.report.memoryLimit}'\`.`);
    out.push('');
    out.push(table(['line items', 'files', 'bytes', 'CLI s', 'bare s', 'CLI / bare', 'CLI peak RSS', 'bare peak RSS', 'CLI CPU s', 'bare CPU s',
      `source @${r.report.memoryLimit} s / RSS`, `bare @${r.report.memoryLimit} s / RSS`],
    r.report.sizes.map((s) => [fmtRows(s.rows), s.files, s.bytes, s2(s.cli.wallMs), s2(s.bare.wallMs), s.ratio.toFixed(2), mb(s.cli.maxRssKb),
      mb(s.bare.maxRssKb), s2(s.cli.cpuMs), s2(s.bare.cpuMs), `${s2(s.cliLimited.wallMs)} / ${mb(s.cliLimited.maxRssKb)}`,
      `${s2(s.bareLimited.wallMs)} / ${mb(s.bareLimited.maxRssKb)}`])));
    out.push('');
    out.push('Individual runs (wall ms):');
    out.push('');
    for (const s of r.report.sizes) {
      out.push(`- ${fmtRows(s.rows)}: CLI ${s.cli.runs.map((x) => x.wallMs.toFixed(0)).join(', ')}; bare ${s.bare.runs.map((x) => x.wallMs.toFixed(0)).join(', ')}`);
    }
    out.push('');
  }

  if (r.allocate) {
    out.push('## Fully-loaded cost (--allocate)');
    out.push('');
    out.push(`\`${r.allocate.command}\` with and without \`--allocate\`, from a folder whose \`cdk.out\` declares the generated`);
    out.push('services with a value chain of two providers (bench/value-chain.ts: private-network serves four services,');
    out.push('data-platform consumes it and serves three): both read the assembly, the allocated one also resolves the chain and');
    out.push('passes the providers\' cost on. Runs interleaved, the CLI compiled as above; the allocated report is checked to');
    out.push('conserve the total to the cent (fully loaded + unallocated = the total of the report without it).');
    out.push('');
    out.push(table(['line items', 'without s (fastest)', '--allocate s (fastest)', 'ratio, medians (CPU)', 'ratio, fastest runs (CPU)', 'peak RSS without / with',
      'total', 'fully loaded + unallocated'],
    r.allocate.sizes.map((s) => [fmtRows(s.rows), `${s2(s.plain.wallMs)} (${s2(Math.min(...s.plain.runs.map((x) => x.wallMs)))})`,
      `${s2(s.allocated.wallMs)} (${s2(Math.min(...s.allocated.runs.map((x) => x.wallMs)))})`, `${s.ratio.toFixed(3)} (${s.cpuRatio.toFixed(3)})`,
      `${s.ratioFastest.toFixed(3)} (${s.cpuRatioFastest.toFixed(3)})`, `${mb(s.plain.maxRssKb)} / ${mb(s.allocated.maxRssKb)}`, s.total.toFixed(6),
      `${s.fullyLoaded.toFixed(6)} + ${s.unallocated.toFixed(6)}`])));
    out.push('');
    out.push('Individual runs (wall ms):');
    out.push('');
    for (const s of r.allocate.sizes) {
      out.push(`- ${fmtRows(s.rows)}: without ${s.plain.runs.map((x) => x.wallMs.toFixed(0)).join(', ')}; --allocate ${s.allocated.runs.map((x) => x.wallMs.toFixed(0)).join(', ')}`);
    }
    out.push('');
  }

  if (r.attribution) {
    const a = r.attribution;
    out.push('## Attribution rules (and coverage) at scale');
    out.push('');
    out.push(`\`${a.command}\` (cwd: a \`cdk.out\` with the services, with or without the rule set): the same report without and with the ${a.rules} rules of \`bench/attribution.ts\` (every rule kind and`);
    out.push('target), from two folders whose `cdk.out` declare the same six services in two stacks, one with the rule set. The export');
    out.push('is generated with the untagged mix (`scripts/generate-cur.ts --untagged-mix true`: untagged usage over four accounts, half');
    out.push('of it with an `aws:cloudformation:stack-name` tag, support, load balancer, volume and data-transfer products, besides tax,');
    out.push('credits, refunds and Savings Plan / RI fees).'
      + (a.coverageCommand ? ` \`${a.coverageCommand}\` from the folder with the rules.` : ' `coverage` was not measured (the CLI had no such command).'));
    out.push('Runs interleaved (order rotating), the CLI compiled; CPU is user + system time of the child. The report with rules is');
    out.push('checked to conserve the total to the cent (tagged + attributed + unattributed = the plain report\'s total).');
    out.push('');
    out.push(table(['source', 'line items', 'plain CPU s', 'rules CPU s', 'rules / plain CPU, medians (fastest)', 'plain wall s', 'rules wall s',
      'rules / plain wall, medians (fastest)', ...(a.sizes.some((s) => s.coverage) ? ['coverage CPU s', 'coverage / plain CPU'] : []),
      'peak RSS plain / rules', 'untagged', 'attributed', 'unattributed', 'rules matched'],
    a.sizes.map((s) => [s.source === 'focus' ? 'FOCUS' : 'CUR 2.0', fmtRows(s.rows), s2(s.plain.cpuMs), s2(s.rules.cpuMs), `${s.cpuRatio.toFixed(3)} (${s.cpuRatioFastest.toFixed(3)})`,
      s2(s.plain.wallMs), s2(s.rules.wallMs), `${s.ratio.toFixed(3)} (${s.ratioFastest.toFixed(3)})`,
      ...(a.sizes.some((x) => x.coverage) ? [s.coverage ? s2(s.coverage.cpuMs) : '-', s.coverageCpuRatio?.toFixed(3) ?? '-'] : []),
      `${mb(s.plain.maxRssKb)} / ${mb(s.rules.maxRssKb)}`, s.untagged.toFixed(2), s.attributed.toFixed(2), s.unattributed.toFixed(2),
      `${s.rulesMatched} of ${a.rules}`])));
    out.push('');
    out.push('Individual runs (CPU ms / wall ms):');
    out.push('');
    const runsOf = (x0: { runs: Array<{ cpuMs: number; wallMs: number }> }) => x0.runs.map((x) => `${x.cpuMs.toFixed(0)}/${x.wallMs.toFixed(0)}`).join(', ');
    for (const s of a.sizes) {
      out.push(`- ${s.source === 'focus' ? 'FOCUS' : 'CUR 2.0'} ${fmtRows(s.rows)}: plain ${runsOf(s.plain)}; rules ${runsOf(s.rules)}${s.coverage ? `; coverage ${runsOf(s.coverage)}` : ''}`);
    }
    out.push('');
  }

  if (r.ce) {
    out.push('## Cost Explorer requests per report');
    out.push('');
    out.push('The CLI\'s Cost Explorer source against an in-process fake of the service (an SDK request handler answering');
    out.push('`GetCostAndUsage` with K pages linked by `NextPageToken`); every HTTP request is counted.');
    out.push('');
    out.push(table(['result pages', 'HTTP requests', 'requests reported', 'rows', 'note in the report'],
      r.ce.map((c) => [c.pages, c.httpRequests, c.reportedRequests, c.rows, c.note])));
    out.push('');
  }

  out.push('## Targets');
  out.push('');
  out.push(table(['target', 'met', 'measured'], analysis.targets.map((t) => [t.target, t.met ? 'yes' : '**no**', t.detail])));
  out.push('');
  out.push('## Notes');
  out.push('');
  const s = previous.indexOf(NOTES_START);
  const e = previous.indexOf(NOTES_END);
  out.push(s >= 0 && e > s ? previous.slice(s, e + NOTES_END.length) : `${NOTES_START}\n${NOTES_END}`);
  out.push('');
  return out.join('\n');
}

function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
