// `idemaudit report <file>`: re-render a saved JSON run in any format, to stdout or a file.
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, UsageError } from '../../core/errors.js';
import { getReporter } from '../../report/index.js';
import { readReportFile } from '../../report/load.js';
import { mergeReports } from '../../report/merge.js';
import { isInteractive, type CliIO } from '../io.js';

export interface ReportFlags {
  /** Reporter id: terminal, json, junit, sarif, md or html (see `idemaudit list reporters`). */
  format: string;
  /** Write here instead of stdout. */
  output?: string;
  /** Merge several runs (e.g. one per CI runner) into one report first. */
  merge?: boolean;
}

export function addReportFlags(cmd: Command): Command {
  return cmd
    .option('-f, --format <id>', 'output format: terminal, json, junit, sarif, md or html (see `idemaudit list reporters`)', 'terminal')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--merge', 'merge several runs into one (histograms added exactly, results concatenated)');
}

export async function reportCommand(files: string[], flags: ReportFlags, io: CliIO): Promise<number> {
  const reporter = getReporter(flags.format || 'terminal');
  if (files.length > 1 && !flags.merge) throw new UsageError(`${files.length} reports given`, 'pass --merge to merge them into one, or give one report');
  const reports = await Promise.all(files.map((f) => readReportFile(f)));
  const report = reports.length > 1 ? mergeReports(reports) : reports[0]!;
  if (flags.output) {
    await mkdir(path.dirname(path.resolve(flags.output)), { recursive: true });
    await writeFile(flags.output, reporter.render(report, { color: false }));
    io.stdout.write(`report: ${flags.output}\n`);
    return EXIT.ok;
  }
  const color = reporter.id === 'terminal' && isInteractive(io);
  io.stdout.write(reporter.render(report, { color, ...(io.stdout.columns ? { width: io.stdout.columns } : {}) }));
  return EXIT.ok;
}
