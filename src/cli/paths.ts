import * as path from 'path';

/** `dir` relative to `cwd` when it is inside it, else absolute; always with `/`. */
export function relativePath(dir: string, cwd: string): string {
  const rel = path.relative(cwd, dir);
  if (rel === '') {
    return '.';
  }
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    return dir.split(path.sep).join('/');
  }
  return rel.split(path.sep).join('/');
}
