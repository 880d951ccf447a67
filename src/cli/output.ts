import { CliIo, PROGRAM } from './io';
import { render } from '../cost-data/format/render';
import { writeFile } from '../cost-data/output-file';
import { Report } from '../cost-data/report/model';

/** Renders a report in a format and writes it to `out` (a file) or stdout. */
export function emit(report: Report, output: string, out: string | undefined, io: CliIo): void {
  const text = render(report, output);
  if (out && out !== '-') {
    writeFile(out, text, io.cwd);
    io.stderr(`${PROGRAM}: wrote ${out}\n`);
  } else {
    io.stdout(text);
  }
}
