// `compare --baseline <file|dir>`: a report file, or the latest run in a directory of runs (by the
// report's own startedAt, not file times, which copies and checkouts change).
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { parseReport, readReportFile } from './load.js';
import { readFile } from 'node:fs/promises';
import type { Report } from './model.js';

/** Earlier runs kept for run-to-run noise (the latest ones). */
const HISTORY = 20;

export interface Baseline {
  file: string;
  report: Report;
  /** Runs of the same scenario in the directory (the baseline among them), latest first. */
  history: Report[];
}

/** The baseline report and where it came from; `exclude` (the new report's path) is never picked. */
export async function readBaseline(where: string, exclude?: string): Promise<Baseline> {
  let isDir = false;
  try {
    isDir = (await stat(where)).isDirectory();
  } catch (err) {
    throw new UsageError(`cannot read the baseline ${where}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err)}`);
  }
  if (!isDir) {
    const report = await readReportFile(where);
    return { file: where, report, history: [report] };
  }
  const skip = exclude ? path.resolve(exclude) : undefined;
  const runs: Array<{ file: string; report: Report }> = [];
  for (const name of (await readdir(where)).filter((n) => n.endsWith('.json')).sort()) {
    const file = path.join(where, name);
    if (path.resolve(file) === skip) continue;
    let report: Report;
    try {
      report = parseReport(await readFile(file, 'utf8'), file);
    } catch {
      continue; // other JSON files (compare output, configs) are not runs
    }
    runs.push({ file, report });
  }
  runs.sort((x, y) => (x.report.startedAt < y.report.startedAt ? 1 : x.report.startedAt > y.report.startedAt ? -1 : 0));
  const latest = runs[0];
  if (!latest) throw new UsageError(`no idemaudit report in ${where}`, 'point --baseline at a report file or at the --report-dir of earlier runs');
  const history = runs
    .filter((r) => r.report.scenario.name === latest.report.scenario.name)
    .slice(0, HISTORY)
    .map((r) => r.report);
  return { ...latest, history };
}
