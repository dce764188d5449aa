// `idemaudit run <scenario>`: load, audit, print, write reports, and map the verdict to an exit code.
import { Option, type Command } from 'commander';
import type { Level } from '../../checks/api.js';
import type { RunListener } from '../../audit/events.js';
import { readFile } from 'node:fs/promises';
import { renderLoadTable, writeHistogramFiles } from '../../report/load-results.js';
import { Redactor } from '../../report/redact.js';
import { redactionPolicyFor } from '../../audit/redaction-policy.js';
import { runAudit, type RunOptions } from '../../index.js';
import { EXIT, UsageError } from '../../core/errors.js';
import { ensureReportDir, getReporter, writeReports, type Report } from '../../report/index.js';
import { sanitizeLine } from '../../report/sanitize.js';
import { loadScenarioFile } from '../../scenario/index.js';
import type { Scenario } from '../../scenario/schema.js';
import { isInteractive, type CliIO } from '../io.js';
import { atLeastOne, level, list, positiveInt, positiveNumber } from '../options.js';
import { progressListener } from '../progress.js';
import { preflight } from '../preflight.js';
import { wrap } from '../../report/text-layout.js';
import { withInterrupt } from '../interrupt.js';
import { withTargets } from '../targets-flag.js';

export interface AuditFlags {
  target?: string;
  reportDir: string;
  format: string[];
  profile?: string;
  seed?: string;
  failOn: Level;
  only: string[];
  skip: string[];
  allowHost: string[];
  maxRequests?: number;
  maxRate?: number;
  maxBody?: number;
  ca?: string;
  insecure?: boolean;
  dryRun?: boolean;
  /** Summary line and exit code only. */
  quiet?: boolean;
  /** Every exchange in the terminal output. */
  verbose?: boolean;
  /** The JSON report on stdout and nothing else there. */
  json?: boolean;
}

/** Environment variables for the common flags (shown in --help); a flag on the command line wins. */
export const AUDIT_ENV = {
  target: 'IDEMAUDIT_TARGET',
  reportDir: 'IDEMAUDIT_REPORT_DIR',
  format: 'IDEMAUDIT_FORMAT',
  profile: 'IDEMAUDIT_PROFILE',
  seed: 'IDEMAUDIT_SEED',
  failOn: 'IDEMAUDIT_FAIL_ON',
  only: 'IDEMAUDIT_ONLY',
  skip: 'IDEMAUDIT_SKIP',
} as const;

// Choices are listed in --help and in shell completion; `level` keeps its own error message.
const LEVELS = ['violation', 'deviation'];

export function addAuditFlags(cmd: Command, opts: { target?: boolean } = {}): Command {
  // `check` names its target in its URL argument; only scenario runs can point elsewhere.
  if (opts.target !== false)
    cmd.addOption(
      new Option('-t, --target <url>', "audit this base URL instead of the scenario's target ('self' = embedded reference server)").env(AUDIT_ENV.target),
    );
  return cmd
    .addOption(new Option('--report-dir <dir>', 'where reports are written').default('reports').env(AUDIT_ENV.reportDir))
    .addOption(
      new Option('-f, --format <list>', 'extra report files besides JSON, comma-separated (see `idemaudit list reporters`)')
        .argParser(list)
        .default([])
        .env(AUDIT_ENV.format),
    )
    .addOption(new Option('-p, --profile <id>', "semantics profile, overrides the scenario's (see `idemaudit list profiles`)").env(AUDIT_ENV.profile))
    .addOption(new Option('--seed <seed>', 'seed for keys and payload variants; the same seed reproduces a run').env(AUDIT_ENV.seed))
    .addOption(
      new Option('--fail-on <level>', 'lowest failed level that makes the exit code 1')
        .choices(LEVELS)
        .argParser(level)
        .default('deviation')
        .env(AUDIT_ENV.failOn),
    )
    .addOption(new Option('--only <checks>', 'run only these check ids, comma-separated').argParser(list).default([]).env(AUDIT_ENV.only))
    .addOption(new Option('--skip <checks>', 'skip these check ids, comma-separated').argParser(list).default([]).env(AUDIT_ENV.skip))
    .option('--allow-host <host>', 'allow traffic to this non-loopback host (repeatable; also allowHosts: in the scenario)', list, [])
    .option('--max-requests <n>', 'stop (exit 3) after this many requests', atLeastOne)
    .option('--max-rate <rps>', 'send at most this many requests per second', positiveNumber)
    .option('--max-body <bytes>', 'response bytes kept per exchange; larger bodies are hashed and truncated', positiveInt)
    .option('--ca <file>', 'trust this CA certificate (PEM) for https targets')
    .option('--insecure', 'accept any TLS certificate (self-signed staging hosts)')
    .option('--dry-run', 'print the requests the audit would send, send none')
    .option('-q, --quiet', 'print the summary line only (the exit code tells the rest)')
    .option('-v, --verbose', 'print every exchange, and the evidence of passing results too')
    .option('--json', 'print the JSON report on stdout and nothing else there (progress and file names go to stderr)');
}

/** The start line (with the seed, so any run can be reproduced) always; live progress on a TTY only. */
export function runListener(io: CliIO, say: (text: string) => unknown = (t) => io.stdout.write(t)): RunListener {
  const progress = progressListener(io, isInteractive(io, 'stderr'));
  return (event) => {
    if (event.type === 'run-start') {
      say(`idemaudit: auditing ${event.target} (scenario ${event.scenario}, profile ${event.profile}, seed ${event.seed}; rerun with --seed ${event.seed})\n`);
    }
    progress(event);
  };
}

/** `targets`: the --targets flag, replacing the scenario's instances or regions, and every endpoint's own `targets:`. */
export async function runCommand(file: string, flags: AuditFlags, io: CliIO, targets?: Record<string, string>): Promise<number> {
  const scenario = await loadScenarioFile(file, io.env);
  return auditAndReport(targets ? withTargets(scenario, targets) : scenario, flags, io, { file });
}

export interface Presentation {
  /** The scenario file, recorded in the report. */
  file?: string;
  /** stdout carries the JSON report and nothing else; every other line goes to stderr. */
  json?: boolean;
  /** Listener for the run's events (default: start line with the seed, progress on a TTY). */
  listener?: RunListener;
}

/** Shared by `run`, `check` and `load`: audit, print, write reports, map the verdict to an exit code. */
export async function auditAndReport(scenario: Scenario, flags: AuditFlags, io: CliIO, how: Presentation = {}): Promise<number> {
  const { allowHost, maxRequests, maxRate, maxBody, ca, insecure, dryRun, reportDir, format, quiet, verbose, json, ...rest } = flags;
  if (json) how = { ...how, json: true };
  if (quiet && verbose) throw new UsageError('--quiet and --verbose exclude each other');
  const options: RunOptions = {
    ...rest,
    allowHosts: allowHost,
    limits: { ...(maxRequests ? { maxRequests } : {}), ...(maxRate ? { maxRate } : {}), ...(maxBody ? { maxBodyBytes: maxBody } : {}) },
    ...(ca || insecure ? { tls: { ...(ca ? { ca: await readCa(ca), caFile: ca } : {}), ...(insecure ? { insecure: true } : {}) } } : {}),
    ...(how.file ? { scenarioFile: how.file } : {}),
  };
  // Unknown formats, profiles and check ids fail here, before anything is sent.
  preflight(scenario, { format, profile: flags.profile, only: flags.only, skip: flags.skip });
  if (dryRun) return dryRunCommand(scenario, options, io);
  // Before any traffic: a report that cannot be written must not cost a whole audit.
  await ensureReportDir(reportDir);
  // --quiet keeps stdout for the summary line; what it would have said goes nowhere.
  const width = terminalWidth(io);
  const say = (text: string): unknown =>
    how.json
      ? io.stderr.write(text)
      : quiet
        ? undefined
        : io.stdout.write(text.startsWith('idemaudit: auditing') ? `${wrap(text, width, 2, 0).join('\n')}\n` : text);
  // The interrupt handler stays installed until the last report file is written.
  return withInterrupt(io, async (signal) => {
    const report = await runAudit(scenario, {
      ...options,
      signal,
      historyDir: reportDir,
      listener: how.listener ?? runListener(io, say),
    });
    const { summary } = report;
    const color = !how.json && isInteractive(io);
    if (summary.stoppedBy === 'unreachable' && report.results.length === 0) {
      // Nothing ran: one readable line instead of an empty table.
      io.stderr.write(`idemaudit: ${sanitizeLine(summary.reason ?? '')}\n`);
    } else if (!how.json) {
      io.stdout.write(getReporter('terminal').render(report, { color, width, detail: quiet ? 'quiet' : verbose ? 'verbose' : 'normal' }));
      if (report.load && !quiet) io.stdout.write(renderLoadTable(report, { color, width }));
    }
    if (summary.stoppedBy === 'unreachable' && report.results.length > 0) io.stderr.write(`idemaudit: run stopped: ${sanitizeLine(summary.reason ?? '')}\n`);
    if (summary.stoppedBy && summary.stoppedBy !== 'interrupted' && summary.stoppedBy !== 'unreachable') {
      io.stderr.write(`idemaudit: run stopped early: ${sanitizeLine(summary.reason ?? '')}\n`);
    }
    const written = await writeReports(report, reportDir, format, { color: false });
    const jsonFile = written.find((f) => f.endsWith('.json'));
    const hgrm = jsonFile && report.histograms ? await writeHistogramFiles(report, jsonFile) : [];
    if (how.json) io.stdout.write(getReporter('json').render(report, { color: false }));
    say(`report: ${[...written, ...hgrm, ...(report.history?.file ? [report.history.file] : [])].join(', ')}\n`);
    // A signal that arrived while the finished audit was being written still means "interrupted".
    return signal.aborted && summary.stoppedBy !== 'interrupted' ? EXIT.interrupted : exitCodeOf(summary);
  });
}

/** The terminal's width; piped output (CI logs) gets COLUMNS or 120. */
export function terminalWidth(io: CliIO): number {
  const cols = io.stdout.columns ?? Number(io.env.COLUMNS);
  return Number.isFinite(cols) && cols > 0 ? cols : 120;
}

/** Ctrl-C wins (130); then findings (1), even from a run a safety rail stopped; then an early stop (3). */
export function exitCodeOf(summary: Report['summary']): number {
  if (summary.stoppedBy === 'interrupted') return EXIT.interrupted;
  // A target that went down mid-run: what failed before may be its dying, not a finding to fix.
  if (summary.stoppedBy === 'unreachable') return EXIT.unreachable;
  if (summary.verdict === 'fail') return EXIT.findings;
  if (summary.verdict === 'incomplete') return EXIT.unreachable;
  return EXIT.ok;
}

async function readCa(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the CA file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** --dry-run: the checks run against a gate that records every request and sends none. */
async function dryRunCommand(scenario: Scenario, options: RunOptions, io: CliIO): Promise<number> {
  let current = '';
  let count = 0;
  const redactor = new Redactor(redactionPolicyFor(scenario, options.target ? [options.target] : []));
  await runAudit(scenario, {
    ...options,
    dryRun: true,
    seed: options.seed ?? 'dry-run',
    listener: (event) => {
      if (event.type === 'check-start') current = `${event.check} on ${event.endpoint}`;
    },
    onPlanned: (req, meta) => {
      count += 1;
      const key = meta.key ? ` key=${meta.key}` : '';
      const tenant = meta.tenant ? ` tenant=${meta.tenant}` : '';
      io.stdout.write(`${current}: ${meta.label}: ${req.method} ${redactor.url(req.url)}${key}${tenant}\n`);
    },
  });
  io.stdout.write(`dry run: ${count} requests planned, none sent (later steps of a check depend on earlier answers, so a real run may differ)\n`);
  return EXIT.ok;
}
