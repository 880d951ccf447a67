import { assemblyPaths, helpOr } from './common';
import { readAssemblies } from '../../cost-data/declarations/cloud-assembly';
import { CostDataError } from '../../cost-data/errors';
import { refuseOutputOverInput, relativePath } from '../../cost-data/paths';
import { describeSample, SAMPLE_NAME, sampleServices, writeSample } from '../../cost-data/sample';
import { CommandSpec, parseArgs } from '../args';
import { EXIT_OK, UsageError } from '../errors';
import { SAMPLE_HELP } from '../help';
import { CliIo, PROGRAM } from '../io';

export const SAMPLE_SPEC: CommandSpec = {
  name: 'sample',
  options: {
    assembly: { kind: 'list', placeholder: 'DIR', short: 'a' },
    out: { kind: 'string', placeholder: 'DIR' },
    months: { kind: 'string', placeholder: 'N' },
  },
};

/** Most months a sample covers. */
const MAX_MONTHS = 24;

/** `customer-value sample`: synthetic CUR 2.0 data for the services of the assemblies, to try the reports on. */
export async function sampleCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(SAMPLE_SPEC, argv);
  if (helpOr(args, SAMPLE_HELP, io)) return EXIT_OK;
  const monthsText = args.strings.get('months') ?? '2';
  const months = Number(monthsText);
  if (!/^\d+$/.test(monthsText) || months < 1 || months > MAX_MONTHS) {
    throw new UsageError(`--months is ${JSON.stringify(monthsText)}: expected a whole number of months from 1 to ${MAX_MONTHS}`, 'sample');
  }
  const set = readAssemblies(assemblyPaths(args), io.cwd);
  const services = sampleServices(set.services);
  if (services.length === 0) {
    throw new CostDataError(`no customer services declared in ${set.assemblies.map((a) => relativePath(a, io.cwd)).join(', ')}: `
      + 'declare one with CustomerService and run "cdk synth" first');
  }
  const out = args.strings.get('out') ?? SAMPLE_NAME;
  refuseOutputOverInput(out, io.cwd, set.assemblies.map((a) => ({ path: a, what: 'the cloud assembly' })));
  const result = writeSample({ out, services, months, today: io.now() }, io.cwd);
  io.stderr(`${PROGRAM}: ${describeSample(result, services, out, io.cwd)}\n`);
  io.stderr(`${PROGRAM}: not real billing data. Read it (DuckDB needed) with: ${PROGRAM} cost --source cur ${out}\n`);
  return EXIT_OK;
}
