/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, or `npx tsx bench/run.ts --profile`): the functions with the most
 * self time, and self time per file.
 *
 *   npx tsx bench/profile.ts bench/out/prof/c-500.cpuprofile [--top 30] [--filter src/] [--inclusive src/]
 *
 * `--inclusive PATH` lists the total time (self and callees) of the functions of files matching PATH instead.
 */
import * as fs from 'fs';
import * as path from 'path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}

interface Profile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

export interface SelfTime {
  readonly name: string;
  readonly where: string;
  readonly ms: number;
}

/**
 * Total (inclusive) time per function whose file matches `filter`: each sample counts once per distinct function on
 * its stack (recursion is not counted twice).
 */
export function inclusive(profile: Profile, filter: string): SelfTime[] {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, SelfTime>();
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      const file = shorten(f.url);
      if (!file.includes(filter)) continue;
      const key = `${f.functionName}@${file}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const prev = totals.get(key);
      totals.set(key, { name: f.functionName || '(anonymous)', where: `${file}:${f.lineNumber + 1}`, ms: (prev?.ms ?? 0) + us / 1000 });
    }
  });
  return [...totals.values()].sort((a, b) => b.ms - a.ms);
}

/** Self time per function and per file, in ms, highest first. */
export function summarise(profile: Profile): { functions: SelfTime[]; files: SelfTime[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fns = new Map<string, SelfTime>();
  const files = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    const file = shorten(f.url);
    const key = `${f.functionName}@${file}:${f.lineNumber + 1}`;
    const prev = fns.get(key);
    fns.set(key, { name: f.functionName || '(anonymous)', where: `${file}:${f.lineNumber + 1}`, ms: (prev?.ms ?? 0) + us / 1000 });
    files.set(file || '(native)', (files.get(file || '(native)') ?? 0) + us / 1000);
    total += us / 1000;
  }
  return {
    functions: [...fns.values()].sort((a, b) => b.ms - a.ms),
    files: [...files.entries()].map(([where, ms]) => ({ name: where, where, ms })).sort((a, b) => b.ms - a.ms),
    totalMs: total,
  };
}

function shorten(url: string): string {
  const p = url.replace(/^file:\/\//, '');
  const i = p.indexOf('node_modules/');
  if (i >= 0) return p.slice(i + 'node_modules/'.length);
  const root = path.resolve(__dirname, '..');
  return p.startsWith(root) ? path.relative(root, p) : p;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const file = argv.find((a) => !a.startsWith('--'));
  const top = Number(argv[argv.indexOf('--top') + 1]) || 30;
  const filter = argv.includes('--filter') ? argv[argv.indexOf('--filter') + 1] : undefined;
  if (!file) {
    process.stderr.write('usage: npx tsx bench/profile.ts FILE.cpuprofile [--top 30] [--filter src/]\n');
    process.exit(2);
  }
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  if (argv.includes('--inclusive')) {
    for (const f of inclusive(profile, argv[argv.indexOf('--inclusive') + 1]).slice(0, top)) {
      process.stdout.write(`${f.ms.toFixed(0).padStart(8)} ms  ${f.name}  ${f.where}\n`);
    }
    process.exit(0);
  }
  const s = summarise(profile);
  const pct = (ms: number) => `${(100 * ms / s.totalMs).toFixed(1)}%`.padStart(6);
  process.stdout.write(`total sampled: ${(s.totalMs / 1000).toFixed(2)} s\n\nself time by function:\n`);
  for (const f of s.functions.filter((x) => !filter || x.where.includes(filter)).slice(0, top)) {
    process.stdout.write(`${f.ms.toFixed(0).padStart(8)} ms ${pct(f.ms)}  ${f.name}  ${f.where}\n`);
  }
  process.stdout.write('\nself time by file:\n');
  for (const f of s.files.filter((x) => !filter || x.where.includes(filter)).slice(0, top)) {
    process.stdout.write(`${f.ms.toFixed(0).padStart(8)} ms ${pct(f.ms)}  ${f.where}\n`);
  }
}
