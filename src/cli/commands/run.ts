// `idemaudit run <scenario>`: load, audit, print, write reports, and map the verdict to an exit code.
import type { Command } from 'commander';
import type { Level } from '../../checks/types.js';
import { runAudit } from '../../engine/run.js';
import { EXIT } from '../../errors/index.js';
import { getReporter, writeReports } from '../../report/index.js';
import { loadScenarioFile } from '../../scenario/index.js';
import { isInteractive, type CliIO } from '../io.js';
import { level, list } from '../options.js';
import { progressListener } from '../progress.js';
import { withInterrupt } from '../interrupt.js';

export interface AuditFlags {
  target?: string;
  reportDir: string;
  format: string[];
  profile?: string;
  seed?: string;
  failOn: Level;
  only: string[];
  skip: string[];
}

export function addAuditFlags(cmd: Command): Command {
  return cmd
    .option('-t, --target <url>', "audit this base URL instead of the scenario's target ('self' = embedded reference server)")
    .option('--report-dir <dir>', 'where reports are written', 'reports')
    .option('-f, --format <list>', 'extra report files besides JSON, comma-separated (see `idemaudit list reporters`)', list, [])
    .option('-p, --profile <id>', "semantics profile, overrides the scenario's (see `idemaudit list profiles`)")
    .option('--seed <seed>', 'seed for keys and payload variants; the same seed reproduces a run')
    .option('--fail-on <level>', 'lowest failed level that makes the exit code 1: violation or deviation', level, 'deviation')
    .option('--only <checks>', 'run only these check ids, comma-separated', list, [])
    .option('--skip <checks>', 'skip these check ids, comma-separated', list, []);
}

export async function runCommand(file: string, flags: AuditFlags, io: CliIO): Promise<number> {
  const scenario = await loadScenarioFile(file, io.env);
  const report = await withInterrupt(io, (signal) =>
    runAudit(scenario, {
      ...flags,
      scenarioFile: file,
      signal,
      listener: progressListener(io, isInteractive(io, 'stderr')),
    }),
  );
  const color = isInteractive(io);
  io.stdout.write(getReporter('terminal').render(report, { color }));
  const written = await writeReports(report, flags.reportDir, flags.format, { color: false });
  io.stdout.write(`report: ${written.join(', ')}\n`);
  if (report.summary.verdict === 'incomplete') return EXIT.interrupted;
  return report.summary.verdict === 'pass' ? EXIT.ok : EXIT.findings;
}
