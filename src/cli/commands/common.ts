import { ParsedArgs } from '../args';
import { CliIo } from '../io';

/** The text formats every report command writes. */
export const OUTPUTS = ['table', 'json', 'csv', 'markdown'];

/** Prints the help text when `--help` was given; returns whether it was. */
export function helpOr(args: ParsedArgs, text: string, io: CliIo): boolean {
  if (args.help) {
    io.stdout(text);
    return true;
  }
  return false;
}

/** The `--assembly` values, or `cdk.out`. */
export function assemblyPaths(args: ParsedArgs): string[] {
  return args.lists.get('assembly') ?? ['cdk.out'];
}
