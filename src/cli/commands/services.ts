import { ASSEMBLY_OPTION, assemblyPaths, OUT_OPTION, OUTPUTS, REGISTRY_OPTION, registryOf, warnOnce } from './common';
import { DeclarationSet, localAssemblies, readDeclarations, withNotes } from '../../cost-data/declarations/declaration-sources';
import { CostDataError } from '../../cost-data/errors';
import { writeFile } from '../../cost-data/output-file';
import { refuseOutputOverInput, relativePath } from '../../cost-data/paths';
import { servicesReport } from '../../cost-data/report/services';
import { CallLimits } from '../../cost-data/sources/limits';
import { CommandSpec, ParsedArgs } from '../command-spec';
import { EXIT_OK } from '../errors';
import { CliIo, oneLine, PROGRAM } from '../io';
import { emit } from '../output';

/** `customer-value services`: the declared services of the assemblies. */
export const SERVICES_SPEC: CommandSpec = {
  name: 'services',
  summary: 'list the customer services declared in one or more cloud assemblies (cdk.out)',
  description: 'Lists every customer service declared in the cloud assemblies (the customer-value:service metadata that "cdk synth" '
    + 'writes), without running the app: service, customer need, customer, team, business unit, value review status and next review, '
    + 'cost reporting, tag coverage (tagged/taggable resources, untaggable ones), unit metric, stage and stack.',
  options: {
    assembly: ASSEMBLY_OPTION,
    registry: REGISTRY_OPTION,
    output: { type: 'string', values: OUTPUTS, placeholder: 'FORMAT', short: 'o', description: 'the format of the list.', default: 'table' },
    out: OUT_OPTION,
  },
  run: async (args, io) => {
    const set = await declarationsOf(args, io, 'services');
    refuseOutputIntoAssembly(args.strings.get('out'), localAssemblies(set), io);
    if (set.services.length === 0) {
      io.stderr(`${PROGRAM}: no customer services declared in ${set.assemblies.map((a) => relativePath(a, io.cwd)).join(', ')}\n`);
    }
    const report = withNotes(servicesReport(set, io.cwd), set.notes);
    for (const w of report.warnings ?? []) {
      io.stderr(`${PROGRAM}: warning: ${oneLine(w)}\n`);
    }
    emit(report, args.strings.get('output') ?? SERVICES_SPEC.options.output.default!, args.strings.get('out'), io);
    return EXIT_OK;
  },
};

/** `customer-value catalog`: Backstage entities for the declared services. */
export const CATALOG_SPEC: CommandSpec = {
  name: 'catalog',
  summary: 'Backstage catalog entities (catalog-info.yaml) for the declared services',
  description: 'Writes Backstage catalog entities (multi-document YAML, catalog-info.yaml) for the declared services: a Component per '
    + 'service (type service, lifecycle production, owner group:<team>, system <business unit>, the need as description, customer-value/* '
    + 'annotations and aws.amazon.com/cost-insights-tags), a Group per team and per business unit, and a System and Domain per business '
    + 'unit.\n\n'
    + 'Names that are not valid Backstage entity names (1-63 characters: letters and digits separated by one of - _ .) are derived: '
    + 'accents folded, other characters replaced with "-", long names cut with a hash suffix; the original is kept as the entity title.',
  options: {
    assembly: ASSEMBLY_OPTION,
    registry: REGISTRY_OPTION,
    out: OUT_OPTION,
  },
  run: async (args, io) => {
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
  },
};

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
