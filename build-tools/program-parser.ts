/**
 * The parser `build-tools/typecheck-and-lint.ts` gives ESLint: @typescript-eslint/parser, handed the one TypeScript
 * program that script built (`parserOptions.programs`) instead of building programs of its own from tsconfig files
 * (`projectService`), so the type-aware rules read the types tsc checked.
 */
import * as parser from '@typescript-eslint/parser';
import type * as ts from 'typescript';

const PROGRAM = Symbol.for('cdk-customer-value/typecheck-and-lint/program');

/** Registers the program the lint reads (called by typecheck-and-lint.ts before it lints). */
export function useProgram(program: ts.Program): void {
  (globalThis as any)[PROGRAM] = program;
}

export const meta = parser.meta;

export function parseForESLint(code: string, options: parser.ParserOptions = {}): ReturnType<typeof parser.parseForESLint> {
  const program = (globalThis as any)[PROGRAM] as ts.Program | undefined;
  if (!program) {
    throw new Error('build-tools/program-parser.ts reads the program of build-tools/typecheck-and-lint.ts: run that script');
  }
  return parser.parseForESLint(code, { ...options, project: undefined, projectService: undefined, programs: [program] });
}
