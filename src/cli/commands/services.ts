import { assemblyPaths, helpOr, OUTPUTS } from './common';
import { readAssemblies } from '../../cost-data/declarations/cloud-assembly';
import { CostDataError } from '../../cost-data/errors';
import { writeFile } from '../../cost-data/output-file';
import { refuseOutputOverInput, relativePath } from '../../cost-data/paths';
import { servicesReport } from '../../cost-data/report/services';
import { CommandSpec, parseArgs } from '../args';
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
  },
};

export const CATALOG_SPEC: CommandSpec = {
  name: 'catalog',
  options: {
    assembly: { kind: 'list', placeholder: 'DIR', short: 'a' },
    out: { kind: 'string', placeholder: 'FILE' },
  },
};

/** `customer-value services`: the declared services of the assemblies. */
export async function servicesCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(SERVICES_SPEC, argv);
  if (helpOr(args, SERVICES_HELP, io)) return EXIT_OK;
  const set = readAssemblies(assemblyPaths(args), io.cwd);
  refuseOutputIntoAssembly(args.strings.get('out'), set.assemblies, io);
  if (set.services.length === 0) {
    io.stderr(`${PROGRAM}: no customer services declared in ${set.assemblies.map((a) => relativePath(a, io.cwd)).join(', ')}\n`);
  }
  const report = servicesReport(set, io.cwd);
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
  const set = readAssemblies(assemblyPaths(args), io.cwd);
  refuseOutputIntoAssembly(args.strings.get('out'), set.assemblies, io);
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

/** An output file must never be written into a cloud assembly it reads (manifest.json, templates, metadata). */
function refuseOutputIntoAssembly(out: string | undefined, assemblies: string[], io: CliIo): void {
  if (out && out !== '-') {
    refuseOutputOverInput(out, io.cwd, assemblies.map((a) => ({ path: a, what: 'the cloud assembly' })));
  }
}
