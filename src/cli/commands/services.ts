import { assemblyPaths, helpOr, OUTPUTS, REGISTRY_OPTION, registryOf, warnOnce } from './common';
import { DeclarationSet, localAssemblies, readDeclarations, withNotes } from '../../cost-data/declarations/declaration-sources';
import { CostDataError } from '../../cost-data/errors';
import { writeFile } from '../../cost-data/output-file';
import { refuseOutputOverInput, relativePath } from '../../cost-data/paths';
import { servicesReport } from '../../cost-data/report/services';
import { CallLimits } from '../../cost-data/sources/limits';
import { CommandSpec, ParsedArgs, parseArgs } from '../args';
import { EXIT_OK } from '../errors';
import { CATALOG_HELP, SERVICES_HELP } from '../help';
import { CliIo, oneLine, PROGRAM } from '../io';
import { emit } from '../output';

export const SERVICES_SPEC: CommandSpec = {
  name: 'services',
  options: {
    assembly: { kind: 'list', placeholder: 'DIR', short: 'a' },
    output: { kind: 'string', values: OUTPUTS, short: 'o' },
    out: { kind: 'string', placeholder: 'FILE' },
    ...REGISTRY_OPTION,
  },
};

export const CATALOG_SPEC: CommandSpec = {
  name: 'catalog',
  options: {
    assembly: { kind: 'list', placeholder: 'DIR', short: 'a' },
    out: { kind: 'string', placeholder: 'FILE' },
    ...REGISTRY_OPTION,
  },
};

/** `customer-value services`: the declared services of the assemblies. */
export async function servicesCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(SERVICES_SPEC, argv);
  if (helpOr(args, SERVICES_HELP, io)) return EXIT_OK;
  const set = await declarationsOf(args, io, 'services');
  refuseOutputIntoAssembly(args.strings.get('out'), localAssemblies(set), io);
  if (set.services.length === 0) {
    io.stderr(`${PROGRAM}: no customer services declared in ${set.assemblies.map((a) => relativePath(a, io.cwd)).join(', ')}\n`);
  }
  const report = withNotes(servicesReport(set, io.cwd), set.notes);
  for (const w of report.warnings ?? []) {
    io.stderr(`${PROGRAM}: warning: ${oneLine(w)}\n`);
  }
  emit(report, args.strings.get('output') ?? 'table', args.strings.get('out'), io);
  return EXIT_OK;
}

/** `customer-value catalog`: Backstage entities for the declared services. */
export async function catalogCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(CATALOG_SPEC, argv);
  if (helpOr(args, CATALOG_HELP, io)) return EXIT_OK;
  const set = await declarationsOf(args, io, 'catalog');
  refuseOutputIntoAssembly(args.strings.get('out'), localAssemblies(set), io);
  if (set.services.length === 0) {
    throw new CostDataError(`no customer services declared in ${set.assemblies.map((a) => relativePath(a, io.cwd)).join(', ')}: nothing to catalog`);
  }
  // the catalog (and the YAML library) is loaded only for this command
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { catalog } = require('../../cost-data/report/catalog') as typeof import('../../cost-data/report/catalog');
  const result = catalog(set, io.cwd);
  for (const w of result.warnings) {
    io.stderr(`${PROGRAM}: warning: ${w}\n`);
  }
  const out = args.strings.get('out');
  if (out && out !== '-') {
    writeFile(out, result.yaml, io.cwd);
    io.stderr(`${PROGRAM}: wrote ${result.entities} entities to ${out}\n`);
  } else {
    io.stdout(result.yaml);
  }
  return EXIT_OK;
}

/** The declarations of `--assembly` (default ./cdk.out) and `--registry`; the registry's stale entries and conflicts on stderr. */
async function declarationsOf(args: ParsedArgs, io: CliIo, command: string): Promise<DeclarationSet> {
  const registry = registryOf(args, command);
  const limits = new CallLimits({ interrupt: io.interrupt });
  try {
    const set = await readDeclarations({ assemblies: assemblyPaths(args), registry, cwd: io.cwd, limits, now: io.now() });
    warnOnce(set.warnings, io);
    return set;
  } finally {
    limits.dispose();
  }
}

/** An output file must never be written into a cloud assembly it reads (manifest.json, templates, metadata). */
function refuseOutputIntoAssembly(out: string | undefined, assemblies: string[], io: CliIo): void {
  if (out && out !== '-') {
    refuseOutputOverInput(out, io.cwd, assemblies.map((a) => ({ path: a, what: 'the cloud assembly' })));
  }
}
