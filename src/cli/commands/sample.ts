import { ASSEMBLY_OPTION, assemblyPaths } from './common';
import { readAssemblies } from '../../cost-data/declarations/cloud-assembly';
import { CostDataError } from '../../cost-data/errors';
import { refuseOutputOverInput, relativePath } from '../../cost-data/paths';
import { describeSample, SAMPLE_NAME, sampleServices, writeSample } from '../../cost-data/sample';
import { DUCKDB_INSTALL } from '../../cost-data/sources/duckdb-version';
import { CommandSpec } from '../command-spec';
import { EXIT_OK, UsageError } from '../errors';
import { PROGRAM } from '../io';

/** Most months a sample covers. */
const MAX_MONTHS = 24;

/** `customer-value sample`: synthetic CUR 2.0 data for the services of the assemblies, to try the reports on. */
export const SAMPLE_SPEC: CommandSpec = {
  name: 'sample',
  summary: 'synthetic CUR 2.0 data for the declared services, to try cost and review without an AWS account',
  description: 'Writes a small synthetic CUR 2.0 export (CSV.gz, in the Data Exports layout) for the customer services declared in the '
    + 'cloud assemblies, to try "cost" and "review" without an AWS account: a usage line item a day for each kind of billable resource '
    + 'each service\'s template holds, tagged as the service tags its resources, plus untagged shared spend and a Tax line item each month. '
    + 'Amounts are made up (the same app gives the same amounts). Then:\n\n'
    + `  ${PROGRAM} cost --source cur ${SAMPLE_NAME}     (reading needs DuckDB: ${DUCKDB_INSTALL})`,
  options: {
    assembly: ASSEMBLY_OPTION,
    out: {
      type: 'string',
      placeholder: 'DIR',
      description: 'the folder to write; a folder an earlier run wrote is replaced, any other existing folder is refused.',
      default: SAMPLE_NAME,
    },
    months: {
      type: 'string',
      placeholder: 'N',
      description: `full calendar months, ending with the last full month, at most ${MAX_MONTHS}.`,
      default: '2',
    },
  },
  run: async (args, io) => {
    const monthsText = args.strings.get('months') ?? SAMPLE_SPEC.options.months.default!;
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
  },
};
