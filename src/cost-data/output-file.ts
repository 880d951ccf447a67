import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CostDataError, firstLine } from './errors';
import { describeFsCode } from './paths';

/** The files the reports are written to: atomically, into folders made level by level; `cwd` resolves relative paths. */

/**
 * Writes an output file atomically: the content goes to a temporary file in the same folder, is flushed to disk
 * (fsync), then renamed over the target. A failed write (disk full, a size limit) leaves the previous file as it
 * was and no temporary file behind; two runs writing the same file leave one complete report, never a mix.
 */
export function writeFile(file: string, content: string, cwd: string): void {
  const target = path.resolve(cwd, file);
  const temp = path.join(path.dirname(target), `.${path.basename(target).slice(0, 100)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', existingMode(target) ?? 0o644);
    const data = Buffer.from(content, 'utf8');
    for (let offset = 0; offset < data.length;) {
      offset += fs.writeSync(fd, data, offset, data.length - offset);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // the write failed already: report that
      }
    }
    fs.rmSync(temp, { force: true });
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? `ENOENT: the folder ${path.dirname(file) || '.'} does not exist`
      : describeFsCode(e) ? `${code}: ${describeFsCode(e)}` : firstLine((e as Error).message);
    throw new CostDataError(`cannot write ${file}: ${why}${fs.existsSync(target) ? ' (the existing file is unchanged)' : ''}`);
  }
  syncFolder(path.dirname(target));
}

/**
 * Creates the folder an option names (e.g. `--out-dir`), with its parents; a folder that exists already is fine.
 * Anything else (a file of that name, no permission, a read-only file system) is one line naming the folder.
 */
export function makeFolder(dir: string, flag: string, cwd: string): void {
  const target = path.resolve(cwd, dir);
  try {
    // level by level, not with { recursive: true }: Node's recursive mkdir never returns for some paths (/proc/1/x)
    const missing: string[] = [];
    for (let d = target; !fs.existsSync(d) && path.dirname(d) !== d; d = path.dirname(d)) {
      missing.unshift(d);
    }
    for (const d of missing) {
      try {
        fs.mkdirSync(d);
      } catch (e) {
        if ((e as { code?: string }).code !== 'EEXIST' || !fs.statSync(d).isDirectory()) {
          throw e;
        }
      }
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR'
      ? `${code}: ${code === 'EEXIST' ? 'a file of that name exists' : 'a part of the path is a file'}, not a folder`
      : describeFsCode(e) ? `${code}: ${describeFsCode(e)}` : firstLine((e as Error).message);
    throw new CostDataError(`cannot create the folder ${dir} (${flag}): ${why}; give another folder`);
  }
  if (!fs.statSync(target).isDirectory()) {
    throw new CostDataError(`cannot create the folder ${dir} (${flag}): EEXIST: a file of that name exists, not a folder; give another folder`);
  }
}

/** The permission bits of an existing file (kept when it is replaced), or undefined. */
function existingMode(file: string): number | undefined {
  try {
    // eslint-disable-next-line no-bitwise
    return fs.statSync(file).mode & 0o777;
  } catch {
    return undefined;
  }
}

/** Flushes a folder entry (the rename) to disk where the platform allows it. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported everywhere (e.g. Windows): the file itself is synced
  } finally {
    if (fd !== undefined) {
      fs.closeSync(fd);
    }
  }
}
