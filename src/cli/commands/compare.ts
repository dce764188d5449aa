// `idemaudit compare <old> <new>`: regressions between two saved runs; exit 1 when there are any.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { readBaseline } from '../../report/baseline.js';
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
  /** Fewer answers than this per outcome or endpoint: not judged (default 30). */
  minSamples?: number;
  /** A report file, or a directory of runs whose latest report is the baseline. */
  baseline?: string;
  /** 'text' (default) or 'json' (the Comparison object, for scripts). */
  format?: string;
}

/** Flag parser: a finite number >= 0 (ratios, shares, milliseconds). */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number >= 0');
  return n;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
}

export function addCompareFlags(cmd: Command): Command {
  return cmd
    .option('--tolerance <ratio>', 'allowed relative p99 increase per endpoint and outcome', nonNegativeNumber, DEFAULT_COMPARE.tolerance)
    .option(
      '--conflict-tolerance <share>',
      'allowed increase of the conflict share per endpoint, absolute',
      nonNegativeNumber,
      DEFAULT_COMPARE.conflictTolerance,
    )
    .option('--min-latency-delta <ms>', 'ignore latency changes smaller than this', nonNegativeNumber, DEFAULT_COMPARE.minLatencyDeltaMs)
    .option('--min-samples <n>', 'judge latency and shares only with at least this many answers in both runs', wholeNumber, DEFAULT_COMPARE.minSamples)
    .option('--baseline <path>', 'baseline report, or a directory of runs (the latest is used); then only the new report is given')
    .addOption(new Option('--format <kind>', 'text or json').choices(['text', 'json']).default('text'));
}

export async function compareCommand(files: string[], flags: CompareFlags, io: CliIO): Promise<number> {
  const expected = flags.baseline ? 1 : 2;
  if (files.length !== expected) {
    throw new UsageError(
      flags.baseline
        ? `with --baseline, give only the new report (got ${files.length} files)`
        : `compare needs the old and the new report (got ${files.length} file${files.length === 1 ? '' : 's'})`,
      'idemaudit compare old.json new.json, or idemaudit compare --baseline reports/ new.json',
    );
  }
  const newFile = files[files.length - 1]!;
  const b = await readReportFile(newFile);
  const { file: oldFile, report: a, history } = flags.baseline ? await readBaseline(flags.baseline, newFile) : await readBaseline(files[0]!);
  const comparison = compareReports(a, b, {
    history,
    minSamples: flags.minSamples ?? DEFAULT_COMPARE.minSamples,
    tolerance: flags.tolerance ?? DEFAULT_COMPARE.tolerance,
    conflictTolerance: flags.conflictTolerance ?? DEFAULT_COMPARE.conflictTolerance,
    minLatencyDeltaMs: flags.minLatencyDelta ?? DEFAULT_COMPARE.minLatencyDeltaMs,
  });
  const regressed = hasRegression(comparison);
  if (flags.format === 'json') {
    io.stdout.write(`${JSON.stringify({ old: oldFile, new: newFile, regressed, ...comparison }, null, 2)}\n`);
    return regressed ? EXIT.findings : EXIT.ok;
  }
  const out: string[] = [
    `compare ${oldFile} (${a.scenario.name}, ${a.startedAt}, ${a.summary.verdict}) -> ${newFile} (${b.scenario.name}, ${b.startedAt}, ${b.summary.verdict})`,
  ];
  const section = (title: string, mark: string, changes: Change[]): void => {
    if (changes.length === 0) return;
    out.push(`${title} (${changes.length}):`, ...changes.map((c) => `  ${mark} ${c.text}`));
  };
  section('Regressions', '✗', comparison.regressions);
  section('Improvements', '✓', comparison.improvements);
  section('Notes', '·', comparison.notes);
  const { regressions, improvements } = comparison;
  out.push(
    regressed
      ? `REGRESSED: ${regressions.length} regression${regressions.length === 1 ? '' : 's'}, ${improvements.length} improvement${improvements.length === 1 ? '' : 's'}`
      : `OK: no regressions, ${improvements.length} improvement${improvements.length === 1 ? '' : 's'}`,
  );
  io.stdout.write(`${out.join('\n')}\n`);
  return regressed ? EXIT.findings : EXIT.ok;
}
