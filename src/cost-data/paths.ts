import * as fs from 'fs';
import * as path from 'path';
import { CostDataError } from './errors';

/** `dir` relative to `cwd` when it is inside it, else absolute; always with `/`. */
export function relativePath(dir: string, cwd: string): string {
  if (dir.startsWith('s3://')) {
    return dir; // the declaration registry (--registry), not a path
  }
  const rel = path.relative(cwd, dir);
  if (rel === '') {
    return '.';
  }
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    return dir.split(path.sep).join('/');
  }
  return rel.split(path.sep).join('/');
}

/** What a file system error code means, in a few words. */
export function describeFsCode(e: unknown): string | undefined {
  switch ((e as { code?: string }).code) {
    case 'ENOENT': return 'no such file or folder';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a part of the path is not a folder';
    case 'ENAMETOOLONG': return 'the path is too long (ENAMETOOLONG)';
    case 'ELOOP': return 'too many levels of symbolic links (ELOOP)';
    case 'EISDIR': return 'it is a folder';
    case 'ENOSPC': return 'no space left on the device (ENOSPC)';
    case 'EFBIG': return 'file too large for the file system or the process limit (EFBIG)';
    case 'EROFS': return 'read-only file system (EROFS)';
    case 'EMFILE':
    case 'ENFILE': return 'too many open files';
    default: return undefined;
  }
}

/**
 * The real path of `file`, following symbolic links; for a file that does not exist yet, the real path of the
 * nearest existing folder above it joined with the rest.
 */
export function realPathOf(file: string): string {
  const abs = path.resolve(file);
  const rest: string[] = [];
  let dir = abs;
  for (;;) {
    try {
      return path.join(fs.realpathSync(dir), ...rest);
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) {
        return abs;
      }
      rest.unshift(path.basename(dir));
      dir = parent;
    }
  }
}

/** An input of a command: a file, or a folder whose every file is an input. */
export interface InputPath {
  readonly path: string;
  /** What it is, for the message, e.g. `the CUR data` or `the cloud assembly`. */
  readonly what: string;
}

/**
 * Refuses an output file that is an input, or inside an input folder (compared by real path, so symbolic links and
 * `..` do not hide it): writing it would destroy the data the report is made from.
 */
export function refuseOutputOverInput(out: string, cwd: string, inputs: readonly InputPath[]): void {
  const target = realPathOf(path.resolve(cwd, out));
  for (const input of inputs) {
    const real = realPathOf(path.resolve(cwd, input.path));
    if (target === real || target.startsWith(real.endsWith(path.sep) ? real : real + path.sep)) {
      throw new CostDataError(`--out ${out} ${target === real ? 'is' : 'is inside'} ${input.what} ${relativePath(input.path, cwd)}, `
        + 'an input of this command: refusing to overwrite it; write the report to another file');
    }
  }
}
