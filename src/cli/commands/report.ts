// `idemaudit report <file>`: re-render a saved JSON run in any format, to stdout or a file.
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT } from '../../errors/index.js';
import { getReporter } from '../../report/index.js';
import { readReportFile } from '../../report/load.js';
import { isInteractive, type CliIO } from '../io.js';

export interface ReportFlags {
  /** Reporter id: terminal, json, junit, sarif, md or html (see `idemaudit list reporters`). */
  format: string;
  /** Write here instead of stdout. */
  output?: string;
}

export function addReportFlags(cmd: Command): Command {
  return cmd
    .option('-f, --format <id>', 'output format: terminal, json, junit, sarif, md or html (see `idemaudit list reporters`)', 'terminal')
    .option('-o, --output <file>', 'write to this file instead of stdout');
}

export async function reportCommand(file: string, flags: ReportFlags, io: CliIO): Promise<number> {
  const reporter = getReporter(flags.format || 'terminal');
  const report = await readReportFile(file);
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
