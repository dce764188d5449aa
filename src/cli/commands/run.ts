// `idemaudit run <scenario>`: load, audit, print, write reports, and map the verdict to an exit code.
import type { Command } from 'commander';
import type { Level } from '../../checks/types.js';
import type { RunListener } from '../../engine/events.js';
import { runAudit } from '../../engine/run.js';
import { EXIT } from '../../errors/index.js';
import { getReporter, writeReports } from '../../report/index.js';
import { loadScenarioFile } from '../../scenario/index.js';
import type { Scenario } from '../../scenario/schema.js';
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

/** The start line (with the seed, so any run can be reproduced) always; live progress on a TTY only. */
export function runListener(io: CliIO): RunListener {
  const progress = progressListener(io, isInteractive(io, 'stderr'));
  return (event) => {
    if (event.type === 'run-start') {
      io.stdout.write(`idemaudit: auditing ${event.target} (scenario ${event.scenario}, profile ${event.profile}, seed ${event.seed}; rerun with --seed ${event.seed})\n`);
    }
    progress(event);
  };
}

export async function runCommand(file: string, flags: AuditFlags, io: CliIO): Promise<number> {
  return auditAndReport(await loadScenarioFile(file, io.env), flags, io, file);
}

/** Shared by `run` and `check`: audit, print, write reports, map the verdict to an exit code. */
export async function auditAndReport(scenario: Scenario, flags: AuditFlags, io: CliIO, file?: string): Promise<number> {
  const report = await withInterrupt(io, (signal) =>
    runAudit(scenario, {
      ...flags,
      ...(file ? { scenarioFile: file } : {}),
      signal,
      listener: runListener(io),
    }),
  );
  const color = isInteractive(io);
  io.stdout.write(getReporter('terminal').render(report, { color }));
  const written = await writeReports(report, flags.reportDir, flags.format, { color: false });
  io.stdout.write(`report: ${written.join(', ')}\n`);
  if (report.summary.verdict === 'incomplete') return EXIT.interrupted;
  return report.summary.verdict === 'pass' ? EXIT.ok : EXIT.findings;
}
