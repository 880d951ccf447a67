import { describeCycle, findCycles } from '../../declaration/cycles';
import { CostAllocationRecord } from '../../declaration/record';
import { closest } from '../../private/placeholders';
import { DeclaredService } from '../declarations/cloud-assembly';
import { CostDataError } from '../errors';
import { relativePath } from '../paths';

/**
 * The value chain across every cloud assembly read: which declared service consumes which, each provider's
 * allocation, and what the declarations of one app could not check on their own (names another app should declare,
 * cycles through several apps). Read by `services`, `catalog` and `cost --allocate`.
 */

/**
 * How a report's reader gets the declarations the value chain lacks, for its messages: the CLI's `--assembly` by
 * default; the scheduled value-review packs, whose readers have no command line, say it their way.
 */
export interface ChainReading {
  /** What was read, in `which no <read> declares`. */
  readonly read: string;
  /** How to read a service's declaration too. */
  readonly declaring: string;
  /** How to read the declarations of a provider's consumers too. */
  readonly consumers: string;
}

/** The CLI's: cloud assemblies, read with `--assembly`. */
export const CLI_CHAIN_READING: ChainReading = {
  read: 'cloud assembly read',
  declaring: 'pass the assembly that declares it with --assembly',
  consumers: 'pass the cloud assemblies of its consumers with --assembly',
};

/** One declared service as the value chain sees it (all declarations of its name merged). */
export interface ChainNode {
  readonly name: string;
  /** Names of the services it consumes, in the order declared (over all its declarations). */
  readonly consumes: readonly string[];
  /** Names of the declared services that consume it, sorted. */
  readonly consumers: readonly string[];
  /** The allocation it declared, if any. */
  readonly declaredAllocation?: CostAllocationRecord;
  /** Where it is declared, for messages: `Shop (cdk.out/shop)`. */
  readonly where: string;
}

export interface ValueChain {
  /** Declared services by name. */
  readonly nodes: ReadonlyMap<string, ChainNode>;
  /** `consumer consumes provider` pairs whose provider no assembly read declares. */
  readonly unknownProviders: ReadonlyArray<{ readonly consumer: string; readonly provider: string }>;
  /** Cycles of consumption (closed paths), across assemblies. */
  readonly cycles: ReadonlyArray<readonly string[]>;
  /** What the reader should know, each once (unknown providers, allocations declared differently). */
  readonly warnings: string[];
  /** How the reader gets the declarations it lacks (`valueChain`'s `reading`). @default CLI_CHAIN_READING */
  readonly reading?: ChainReading;
}

/** The allocation a provider uses: the declared one, or proportional. */
export function allocationOf(node: ChainNode): CostAllocationRecord {
  return node.declaredAllocation ?? { method: 'proportional' };
}

/** Whether a service passes cost on: something consumes it, or it declared an allocation. */
export function isProvider(node: ChainNode): boolean {
  return node.consumers.length > 0 || node.declaredAllocation !== undefined;
}

/**
 * Builds the value chain of the declared services. A service declared in several places (stages, apps) consumes
 * what any of its declarations consumes; its allocation is the first one declared (a warning says when two differ).
 */
export function valueChain(declared: readonly DeclaredService[], cwd: string, reading: ChainReading = CLI_CHAIN_READING): ValueChain {
  const merged = new Map<string, { first: DeclaredService; consumes: string[]; allocation?: CostAllocationRecord; allocatedIn?: DeclaredService }>();
  const warnings: string[] = [];
  for (const d of declared) {
    const name = d.record.serviceName;
    let m = merged.get(name);
    if (!m) {
      m = { first: d, consumes: [] };
      merged.set(name, m);
    }
    for (const p of d.record.consumes ?? []) {
      if (!m.consumes.includes(p)) {
        m.consumes.push(p);
      }
    }
    const a = d.record.costAllocation;
    if (a && !m.allocation) {
      m.allocation = a;
      m.allocatedIn = d;
    } else if (a && m.allocation && JSON.stringify(a) !== JSON.stringify(m.allocation)) {
      warnings.push(`service ${name} declares its costAllocation differently in ${placeOf(m.allocatedIn!, cwd)} (${allocationLabel(m.allocation)}) `
        + `and ${placeOf(d, cwd)} (${allocationLabel(a)}): the value chain uses the first`);
    }
  }
  const consumers = new Map<string, string[]>();
  const unknownProviders: Array<{ consumer: string; provider: string }> = [];
  for (const [name, m] of merged) {
    for (const provider of m.consumes) {
      consumers.set(provider, [...(consumers.get(provider) ?? []), name]);
      if (!merged.has(provider)) {
        unknownProviders.push({ consumer: name, provider });
        const suggestion = closest(provider, [...merged.keys()].filter((n) => n !== name));
        warnings.push(`${name} (${placeOf(m.first, cwd)}) consumes "${provider}", which no ${reading.read} declares: `
          + `${suggestion ? `did you mean ${JSON.stringify(suggestion)}? Otherwise ` : ''}${reading.declaring} `
          + '(until then its cost, if any, is not passed on)');
      }
    }
  }
  const nodes = new Map<string, ChainNode>();
  for (const [name, m] of merged) {
    nodes.set(name, {
      name,
      consumes: m.consumes,
      consumers: [...(consumers.get(name) ?? [])].sort(),
      declaredAllocation: m.allocation,
      where: placeOf(m.first, cwd),
    });
  }
  const cycles = findCycles([...nodes.keys()], (n) => nodes.get(n)?.consumes ?? []);
  return { nodes, unknownProviders, cycles, warnings, reading };
}

/** The message for a cycle of consumption across assemblies. */
export function cycleMessage(chain: ValueChain, cycle: readonly string[]): string {
  const places = [...new Set(cycle)].map((n) => `${n} in ${chain.nodes.get(n)?.where ?? '?'}`).join(', ');
  return `the declared services consume each other in a cycle: ${describeCycle(cycle)} (${places}): a service cannot consume itself, `
    + 'even through services of other apps, or its cost would be passed on around the cycle for ever; remove one of these consumes() declarations';
}

/** Refuses a value chain with a cycle (allocation over it has no answer). */
export function refuseCycles(chain: ValueChain): void {
  if (chain.cycles.length > 0) {
    throw new CostDataError(cycleMessage(chain, chain.cycles[0]));
  }
}

/** `proportional`, `even`, `fixed: checkout 60 %, search 40 %`. */
export function allocationLabel(a: CostAllocationRecord): string {
  if (a.method !== 'fixed') {
    return a.method;
  }
  return `fixed: ${Object.entries(a.percentages ?? {}).map(([n, p]) => `${n} ${p} %`).join(', ')}`;
}

function placeOf(d: DeclaredService, cwd: string): string {
  return `${d.stage ? `${d.stage}/` : ''}${d.stack}, ${relativePath(d.assembly, cwd)}`;
}
