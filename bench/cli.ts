/**
 * The `customer-value` CLI straight from the TypeScript sources (`node --import tsx bench/cli.ts ...`), for the
 * smoke size; the full benchmark runs the compiled CLI (`bench/out/cli-build`, like `bin/customer-value`).
 */
import { main } from '../src/cli/main';

void main(process.argv.slice(2));
