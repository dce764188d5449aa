// Report files are never lost: the directory is checked before any traffic, names always fit the
// file system, and every file is written under a temporary name and renamed, so an interrupt or a
// crash while writing leaves the previous complete file (or none), never a truncated one.
import { createHash } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';

/** Longest scenario part of a report file name; the rest of 255 bytes is left for stamp and suffixes. */
const MAX_NAME_PART = 100;

/** "2026-11-22T16:01:02.345Z" -> "20261122T160102Z" (sortable, safe in file names). */
export function fileStamp(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** A name part that fits: long names keep their head and get a short hash, so two long names stay apart. */
export function fitName(name: string, max = MAX_NAME_PART): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, max - 9)}~${hash}`;
}

/** `<dir>/<scenario>-<stamp>`: every report file of a run starts with it. */
export function reportBase(dir: string, scenario: string, startedAtIso: string): string {
  return path.join(dir, `${fitName(scenario)}-${fileStamp(startedAtIso)}`);
}

const reason = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a file is in the way (not a directory)';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'it cannot be created there';
  if (code === 'EROFS') return 'read-only file system';
  return code ?? (err instanceof Error ? err.message : String(err));
};

/**
 * Creates `dir` one level at a time (Node's recursive mkdir spins forever on paths such as
 * /proc/x) and proves it writable with a probe file. Throws a UsageError (exit 2) naming the problem.
 */
export async function ensureReportDir(dir: string): Promise<void> {
  const abs = path.resolve(dir);
  const fail = (err: unknown): never => {
    throw new UsageError(`cannot write reports to ${dir}: ${reason(err)}`, 'choose another --report-dir');
  };
  const missing: string[] = [];
  for (let cur = abs; ; cur = path.dirname(cur)) {
    try {
      const st = await stat(cur);
      if (!st.isDirectory()) fail(Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }));
      break;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') fail(err);
      missing.push(cur);
      if (path.dirname(cur) === cur) fail(err);
    }
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') fail(err);
    }
  }
  const probe = path.join(abs, `.idemaudit-probe-${process.pid}`);
  try {
    await writeFile(probe, '');
    await unlink(probe);
  } catch (err) {
    fail(err);
  }
}

/** Temporary files being written now; removed if the process has to exit in the middle. */
const partial = new Set<string>();

/** Writes `file` atomically: a temporary sibling, then a rename over the final name. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  partial.add(tmp);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  } finally {
    partial.delete(tmp);
  }
}

/** For an exit in the middle of writing (a second Ctrl-C): remove temporary files, keep complete ones. */
export function removePartialFiles(): void {
  for (const tmp of partial) {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or never created
    }
  }
  partial.clear();
}
