// `idemaudit compare <old> <new>`: regressions between two saved runs; exit 1 when there are any.
import { InvalidArgumentError, type Command } from 'commander';
import { EXIT } from '../../core/errors.js';
import { compareReports, DEFAULT_COMPARE, hasRegression, type Change } from '../../report/compare.js';
import { readReportFile } from '../../report/load.js';
import type { CliIO } from '../io.js';

export interface CompareFlags {
  /** Allowed relative p99 increase per endpoint and outcome (default 0.2 = +20 %). */
  tolerance?: number;
  /** Allowed absolute increase of the conflict share per endpoint (default 0.05 = 5 points). */
  conflictTolerance?: number;
  /** p99 changes below this many ms are ignored (default 1). */
  minLatencyDelta?: number;
  /** 'text' (default) or 'json' (the Comparison object, for scripts). */
  format?: string;
}

/** Flag parser: a finite number >= 0 (ratios, shares, milliseconds). */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number >= 0');
  return n;
}

export function addCompareFlags(cmd: Command): Command {
  return cmd
    .option('--tolerance <ratio>', 'allowed relative p99 increase per endpoint and outcome', nonNegativeNumber, DEFAULT_COMPARE.tolerance)
    .option('--conflict-tolerance <share>', 'allowed increase of the conflict share per endpoint, absolute', nonNegativeNumber, DEFAULT_COMPARE.conflictTolerance)
    .option('--min-latency-delta <ms>', 'ignore p99 changes smaller than this', nonNegativeNumber, DEFAULT_COMPARE.minLatencyDeltaMs)
    .option('--format <kind>', 'text or json', 'text');
}

export async function compareCommand(oldFile: string, newFile: string, flags: CompareFlags, io: CliIO): Promise<number> {
  const [a, b] = [await readReportFile(oldFile), await readReportFile(newFile)];
  const comparison = compareReports(a, b, {
    tolerance: flags.tolerance ?? DEFAULT_COMPARE.tolerance,
    conflictTolerance: flags.conflictTolerance ?? DEFAULT_COMPARE.conflictTolerance,
    minLatencyDeltaMs: flags.minLatencyDelta ?? DEFAULT_COMPARE.minLatencyDeltaMs,
  });
  const regressed = hasRegression(comparison);
  if (flags.format === 'json') {
    io.stdout.write(`${JSON.stringify({ old: oldFile, new: newFile, regressed, ...comparison }, null, 2)}\n`);
    return regressed ? EXIT.findings : EXIT.ok;
  }
  const out: string[] = [`compare ${oldFile} (${a.scenario.name}, ${a.startedAt}, ${a.summary.verdict}) -> ${newFile} (${b.scenario.name}, ${b.startedAt}, ${b.summary.verdict})`];
  const section = (title: string, mark: string, changes: Change[]): void => {
    if (changes.length === 0) return;
    out.push(`${title} (${changes.length}):`, ...changes.map((c) => `  ${mark} ${c.text}`));
  };
  section('Regressions', '✗', comparison.regressions);
  section('Improvements', '✓', comparison.improvements);
  section('Notes', '·', comparison.notes);
  const { regressions, improvements } = comparison;
  out.push(regressed
    ? `REGRESSED: ${regressions.length} regression${regressions.length === 1 ? '' : 's'}, ${improvements.length} improvement${improvements.length === 1 ? '' : 's'}`
    : `OK: no regressions, ${improvements.length} improvement${improvements.length === 1 ? '' : 's'}`);
  io.stdout.write(`${out.join('\n')}\n`);
  return regressed ? EXIT.findings : EXIT.ok;
}
