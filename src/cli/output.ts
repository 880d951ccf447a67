import * as fs from 'fs';
import * as path from 'path';
import { firstLine } from './errors';
import { renderCsv } from './format/csv';
import { renderHtml } from './format/html';
import { renderJson } from './format/json';
import { renderMarkdown } from './format/markdown';
import { renderText } from './format/text';
import { CliIo, PROGRAM } from './io';
import { Report } from './report/model';
import { CliError } from './sources/types';

/** Renders a report in a format and writes it to `out` (a file) or stdout. */
export function emit(report: Report, output: string, out: string | undefined, io: CliIo): void {
  let text: string;
  switch (output) {
    case 'json': text = renderJson(report); break;
    case 'csv': text = renderCsv(report); break;
    case 'markdown': text = renderMarkdown(report); break;
    case 'html': text = renderHtml(report); break;
    default: text = renderText(report);
  }
  if (out && out !== '-') {
    writeFile(out, text, io);
    io.stderr(`${PROGRAM}: wrote ${out}\n`);
  } else {
    io.stdout(text);
  }
}

/** Writes an output file. */
export function writeFile(file: string, content: string, io: CliIo): void {
  try {
    fs.writeFileSync(path.resolve(io.cwd, file), content, 'utf8');
  } catch (e) {
    throw new CliError(`cannot write ${file}: ${firstLine((e as Error).message)}`);
  }
}
