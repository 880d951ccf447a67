/**
 * One synth measurement, in a process of its own (so the peak RSS is this run's):
 *
 *   node --import tsx bench/synth-child.ts --variant c --services 100 --outdir /tmp/x [--per-stack 10] [--resources full|small] [--no-warmup]
 *     [--profile FILE.cpuprofile]
 *
 * Every module is loaded before the clock starts (the same modules in every variant), and a one-service app of the
 * same variant is synthesized first (warm-up: lazily loaded modules, JIT). The clock then covers building the app
 * and `app.synth()` (templates, assets, validation plugins). Prints one JSON line (`SynthSample`).
 *
 * `--profile FILE` writes a V8 CPU profile of the measured section only (after the warm-up; `node --cpu-prof` would
 * also hold module loading and the warm-up): summarise it with `npx tsx bench/profile.ts FILE`. The profiler slows
 * the run down, so a profiled run's timings are not comparable with the others'.
 */
import * as fs from 'fs';
import * as inspector from 'inspector';
import * as path from 'path';
import { buildApp, isVariant } from './app';

export interface SynthSample {
  readonly variant: string;
  readonly services: number;
  /** Build (construct) time plus synth time, ms. */
  readonly wallMs: number;
  readonly buildMs: number;
  /** From process start to the warm-up: Node, tsx and module loading. */
  readonly loadMs: number;
  /** The warm-up synth of a one-service app. */
  readonly warmupMs: number;
  readonly synthMs: number;
  /** User + system CPU time of the measured section, ms. */
  readonly cpuMs: number;
  /** Peak resident set size of the process, KiB (includes loading aws-cdk-lib, the same in every variant). */
  readonly maxRssKb: number;
  readonly stacks: number;
  /** CloudFormation resources in all templates (AWS::CDK::Metadata excluded). */
  readonly resources: number;
  readonly templateBytes: number;
  readonly maxStackResources: number;
  readonly maxStackBytes: number;
  /** Resources of the stacks' cost publishers (logical ids starting with CustomerValueCostPublisher). */
  readonly publisherResources: number;
  /** Resources of the services' cost reporting (logical ids holding CostReporting: budget, dashboard...). */
  readonly reportingResources: number;
  /** Bytes of those resources in the templates (as written: JSON with one-space indentation). */
  readonly publisherBytes: number;
  readonly reportingBytes: number;
  /** Validation plugin findings (variants d, e, f), from validation-report.json. */
  readonly findings: number;
  /** First line of the synth error, when a validation plugin failed synthesis (expected for e: the user's resources are not all AwsSolutions-compliant). */
  readonly synthError?: string;
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

type TemplateStats = Pick<SynthSample, 'stacks' | 'resources' | 'templateBytes' | 'maxStackResources' | 'maxStackBytes'
| 'publisherResources' | 'reportingResources' | 'publisherBytes' | 'reportingBytes'>;

export function templateStats(outdir: string): TemplateStats {
  let stacks = 0;
  let publisherResources = 0;
  let reportingResources = 0;
  let publisherBytes = 0;
  let reportingBytes = 0;
  const size = (entry: [string, unknown]) => Buffer.byteLength(JSON.stringify({ [entry[0]]: entry[1] }, undefined, 1)) - 4;
  let resources = 0;
  let templateBytes = 0;
  let maxStackResources = 0;
  let maxStackBytes = 0;
  for (const file of fs.readdirSync(outdir)) {
    if (!file.endsWith('.template.json')) {
      continue;
    }
    const text = fs.readFileSync(path.join(outdir, file), 'utf8');
    const template = JSON.parse(text) as { Resources?: Record<string, { Type: string }> };
    const entries = Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type !== 'AWS::CDK::Metadata');
    const count = entries.length;
    const publisher = entries.filter(([id]) => id.startsWith('CustomerValueCostPublisher'));
    const reporting = entries.filter(([id]) => id.includes('CostReporting'));
    publisherResources += publisher.length;
    reportingResources += reporting.length;
    publisherBytes += publisher.reduce((t, e) => t + size(e), 0);
    reportingBytes += reporting.reduce((t, e) => t + size(e), 0);
    const bytes = Buffer.byteLength(text);
    stacks++;
    resources += count;
    templateBytes += bytes;
    maxStackResources = Math.max(maxStackResources, count);
    maxStackBytes = Math.max(maxStackBytes, bytes);
  }
  return {
    stacks, resources, templateBytes, maxStackResources, maxStackBytes, publisherResources, reportingResources, publisherBytes, reportingBytes,
  };
}

function findings(outdir: string): number {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) {
    return 0;
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  let n = 0;
  for (const r of report.pluginReports ?? []) {
    for (const v of r.violations ?? []) {
      n += (v.violatingConstructs ?? []).length || 1;
    }
  }
  return n;
}

/** Starts V8's sampling profiler in this process (synchronously: the inspector session posts on this thread). */
function startProfile(): inspector.Session {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  return session;
}

function stopProfile(session: inspector.Session, file: string): void {
  session.post('Profiler.stop', (err, result) => {
    if (err) {
      throw err;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(result.profile));
  });
  session.disconnect();
}

function main(): void {
  const argv = process.argv.slice(2);
  const variant = arg(argv, 'variant') ?? '';
  const services = Number(arg(argv, 'services'));
  const outdir = arg(argv, 'outdir');
  const perStack = Number(arg(argv, 'per-stack') ?? 10);
  const resources = arg(argv, 'resources') === 'small' ? 'small' : 'full';
  if (!isVariant(variant) || !Number.isInteger(services) || services < 1 || !outdir) {
    throw new Error('usage: synth-child.ts --variant a|b|c|d|e|f --services N --outdir DIR [--per-stack 10] [--resources full|small] [--no-warmup]');
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  const loadMs = process.uptime() * 1000;

  // Warm-up: a one-service app of the same variant, so that lazily loaded modules and JIT warm-up, which cost the
  // same whatever N is, stay out of the measured section (they are reported as loadMs / warmupMs).
  const w0 = process.hrtime.bigint();
  if (!argv.includes('--no-warmup')) {
    const warmDir = `${outdir}-warmup`;
    try {
      buildApp({ variant, services: 1, servicesPerStack: perStack, outdir: warmDir, resources }).synth();
    } catch {
      // a failing validation plugin: the work was done all the same
    }
    fs.rmSync(warmDir, { recursive: true, force: true });
  }
  const warmupMs = Number(process.hrtime.bigint() - w0) / 1e6;

  const profile = arg(argv, 'profile');
  const session = profile ? startProfile() : undefined;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const app = buildApp({ variant, services, servicesPerStack: perStack, outdir, resources });
  const t1 = process.hrtime.bigint();
  let synthError: string | undefined;
  try {
    app.synth();
  } catch (e) {
    synthError = String((e as Error).message ?? e).split('\n')[0].slice(0, 200);
  }
  const t2 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  if (session && profile) {
    stopProfile(session, profile);
  }

  const sample: SynthSample = {
    variant,
    services,
    wallMs: Number(t2 - t0) / 1e6,
    loadMs,
    warmupMs,
    buildMs: Number(t1 - t0) / 1e6,
    synthMs: Number(t2 - t1) / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssKb: process.resourceUsage().maxRSS,
    ...templateStats(outdir),
    findings: findings(outdir),
    synthError,
  };
  process.stdout.write(`BENCH ${JSON.stringify(sample)}\n`);
}

if (require.main === module) {
  main();
}
