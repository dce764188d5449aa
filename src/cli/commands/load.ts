// `idemaudit load URL [autocannon-like flags]`: ad hoc load without a scenario file. The flags
// become an in-memory scenario with one endpoint and the `load` check, run by the same engine as
// `run`, with the same report, percentile table, .hgrm files and exit codes.
//
//   idemaudit load http://127.0.0.1:4000/payments -c 50 -d 10s -b '{"amount":100,"currency":"EUR"}'
//   idemaudit load http://127.0.0.1:4000/payments --rate 2000 -d 30s --duplicates 0.2 --threshold 'p99 < 50ms'
import { InvalidArgumentError, type Command } from 'commander';
import { LoadOptions } from '../../checks/load/index.js';
import { MAX_WORKERS } from '../../scenario/check-options/load.js';
import type { Level } from '../../checks/api.js';
import type { RunEvent, RunListener } from '../../audit/events.js';
import { formatProgress } from '../../report/load-progress.js';
import { UsageError } from '../../core/errors.js';
import { parseBody, parseEndpointUrl, parseHeader, slug } from '../../scenario/adhoc.js';
import { scenarioSchema, type Scenario } from '../../scenario/schema.js';
import { isInteractive, type CliIO } from '../io.js';
import { auditAndReport, type AuditFlags } from './run.js';
import { atLeastOne, duration, level, list, positiveInt, positiveNumber, readBodyFlag } from '../options.js';

export interface LoadFlags {
  /** Closed model: concurrent connections (-c). Open model (--rate): the socket pool. Default 10 / 50. */
  connections?: number;
  /** Run length in ms (-d, e.g. 10s). Default 10 s. */
  duration?: number;
  /** -m, default POST. */
  method?: string;
  /** -H 'Name: value', repeatable. */
  header: string[];
  /** -b, request body (JSON is sent as JSON; @file reads a file; templates such as {{uuid}} apply). */
  body?: string;
  /** --rate: open model at this many requests per second (constant-arrival-rate). */
  rate?: number;
  /** --duplicates: share of requests reusing an earlier key (default 0.2). */
  duplicates?: number;
  /** --in-flight-duplicates: share of duplicates fired while their original is in flight (default 0.5). */
  inFlightDuplicates?: number;
  /** --json: the JSON report on stdout and nothing else there. */
  json?: boolean;
  reportDir: string;
  format?: string[];
  seed?: string;
  /** --max-requests: hard cap (default 1,000,000). */
  maxRequests?: number;
  /** --threshold, repeatable: "p99 < 250ms", "error_rate < 1%", ... */
  threshold: string[];
  /** --timeout: per-request timeout in ms (default 10 s). */
  timeout?: number;
  keyHeader?: string;
  /** --identity: JSON pointer to the created resource id (identity oracle), e.g. /id. */
  identity?: string;
  profile?: string;
  failOn?: Level;
  allowHost?: string[];
  /** --redact: extra header, query and JSON field names to redact. */
  redact?: string[];
  /** --shard i/n: this runner's share of a run spread over n runners (0-based i). */
  shard?: string;
  /** --start-at: ISO time at which the load starts (aligns the shards). */
  startAt?: string;
  /** --workers N|auto: worker threads sending the load (default 1; auto: cores - 1). */
  workers?: number | 'auto';
}

/** Repeatable flag: each occurrence is one value. */
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function ratio(value: string): number {
  const n = Number(value.endsWith('%') ? Number(value.slice(0, -1)) / 100 : value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a ratio between 0 and 1 (or a percentage such as 20%)');
  return n;
}

/** --workers: a whole number of threads from 1 to MAX_WORKERS, or 'auto' (cores - 1, at least 1). */
export function workersArg(value: string): number | 'auto' {
  const text = value.trim().toLowerCase();
  if (text === 'auto') return 'auto';
  const n = Number(text);
  if (text === '' || !Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new InvalidArgumentError(`expected a whole number of worker threads from 1 to ${MAX_WORKERS}, or 'auto' (one per core but one)`);
  }
  return n;
}

/** The flags of `idemaudit load`, for the CLI wiring in main.ts. */
export function addLoadFlags(cmd: Command): Command {
  return cmd
    .option('-c, --connections <n>', 'concurrent connections (closed model; with --rate: the socket pool)', positiveInt)
    .option('-d, --duration <duration>', 'how long to load, e.g. 10s or 2m (default 10s)', duration)
    .option('-m, --method <method>', 'HTTP method', 'POST')
    .option('-H, --header <header>', "request header 'Name: value' (repeatable)", collect, [])
    .option('-b, --body <body>', 'request body, or @file (JSON is sent as JSON; templates such as {{uuid}} apply)')
    .option('--rate <rps>', 'open model: send at this many requests per second, latency measured from each intended start', positiveNumber)
    .option('--duplicates <ratio>', 'share of requests that reuse an earlier key, 0..0.9 (default 0.2)', ratio)
    .option('--in-flight-duplicates <share>', 'share of those duplicates sent while their original is in flight (default 0.5)', ratio)
    .option('--max-requests <n>', 'never send more than this many requests (default 1000000)', atLeastOne)
    .option('--threshold <expr>', "pass/fail criterion, repeatable: 'p99 < 250ms', 'error_rate < 1%', 'duplicate_executions == 0', 'rate >= 95%'", collect, [])
    .option('--timeout <duration>', 'per-request timeout (default 10s)', duration)
    .option('--key-header <name>', 'idempotency key header name', 'Idempotency-Key')
    .option('--identity <pointer>', 'JSON pointer to the created resource id in responses, e.g. /id (counts duplicate executions)')
    .option('-p, --profile <id>', 'semantics profile (see `idemaudit list profiles`)')
    .option('--seed <seed>', 'seed for keys; the same seed reproduces the traffic mix')
    .option('--fail-on <level>', 'lowest failed level that makes the exit code 1: violation or deviation', level, 'deviation')
    .option('--json', 'print the JSON report on stdout and nothing else there')
    .option('--report-dir <dir>', 'where reports and .hgrm files are written', 'reports')
    .option('-f, --format <list>', 'extra report files besides JSON, comma-separated', list, [])
    .option('--allow-host <host>', 'allow traffic to this non-loopback host (repeatable)', list, [])
    .option('--redact <names>', 'extra header, query and JSON field names to redact in reports, comma-separated', list, [])
    .option(
      '--shard <i/n>',
      'run shard i of n (0-based) of one load: its share of the rate and connections, keys of its own; merge the n reports with `report --merge`',
    )
    .option('--start-at <iso>', 'start the load at this wall-clock time (ISO 8601), so shards on several machines start together')
    .option(
      '--workers <n|auto>',
      'worker threads sending the load (default 1; auto: cores - 1): connections, rate and request cap are split, keys stay distinct, histograms merge exactly',
      workersArg,
    );
}

/** The in-memory scenario `idemaudit load` runs: one endpoint, the `load` check. */
export function loadScenario(url: string, flags: LoadFlags, body?: string): Scenario {
  const parsed = parseEndpointUrl(url);
  const value = parseBody(body);
  const method = (flags.method ?? 'POST').toUpperCase();
  const endpoint: Record<string, unknown> = { name: slug(`${method} ${parsed.pathname}`).toLowerCase(), method, path: `${parsed.pathname}${parsed.search}` };
  if (value !== undefined) endpoint.body = value;
  if (flags.identity) endpoint.identity = flags.identity;
  const maxRequests = flags.maxRequests ?? 1_000_000;
  const options: Record<string, unknown> = {
    executor: flags.rate !== undefined ? 'constant-arrival-rate' : 'constant-connections',
    connections: flags.connections ?? (flags.rate !== undefined ? 50 : 10),
    duration: flags.duration ?? 10_000,
    maxRequests,
    duplicates: flags.duplicates ?? 0.2,
    inFlightDuplicates: flags.inFlightDuplicates ?? 0.5,
    thresholds: flags.threshold,
  };
  if (flags.rate !== undefined) options.rate = flags.rate;
  if (flags.timeout !== undefined) options.timeoutMs = flags.timeout;
  if (flags.shard !== undefined) options.shard = flags.shard;
  if (flags.startAt !== undefined) options.startAt = flags.startAt;
  if (flags.workers !== undefined) options.workers = flags.workers;
  // Check options are validated here, before anything is sent (thresholds report their column).
  const checked = LoadOptions.safeParse(options);
  if (!checked.success) {
    throw new UsageError(
      `cannot load ${url}: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      "thresholds look like 'p99 < 250ms', 'error_rate < 1%', 'duplicate_executions == 0', 'rate >= 95%'",
    );
  }
  const input = {
    version: 1,
    // Shards writing into one directory must not overwrite each other's report.
    name: slug(`load-${parsed.host}${parsed.pathname}${flags.shard ? `-shard-${flags.shard.replace('/', '-of-')}` : ''}`),
    target: parsed.origin,
    profile: flags.profile ?? 'ietf-07',
    defaults: {
      headers: Object.fromEntries(flags.header.map((h) => parseHeader(h))),
      ...(flags.keyHeader ? { keyHeader: flags.keyHeader } : {}),
      ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}),
    },
    allowHosts: flags.allowHost ?? [],
    redact: flags.redact ?? [],
    // The load check is bounded by its own maxRequests; the run-wide cap must not cut it shorter.
    limits: { maxRequests: maxRequests + 100 },
    endpoints: [endpoint],
    checks: { load: options },
  };
  const result = scenarioSchema().safeParse(input);
  if (!result.success) {
    throw new UsageError(`cannot load ${url}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}

/** Load progress on a TTY (stderr, one rewritten line); silent otherwise. */
export function loadProgressListener(io: CliIO, enabled: boolean): RunListener {
  if (!enabled) return () => {};
  const line = (text: string): void => {
    io.stderr.write(`\r\x1b[2K${text.slice(0, 150)}`);
  };
  return (event: RunEvent) => {
    if (event.type === 'load-progress') {
      line(`load ${event.endpoint}: ${formatProgress(event.progress)}`);
    } else if (event.type === 'run-end') {
      io.stderr.write('\r\x1b[2K');
    }
  };
}

export async function loadCommand(url: string, flags: LoadFlags, io: CliIO): Promise<number> {
  const body = await readBodyFlag(flags.body);
  const scenario = loadScenario(url, flags, body);
  // With --json, stdout carries the JSON report and nothing else: every other line goes to stderr.
  const say = (text: string): unknown => (flags.json ? io.stderr.write(text) : io.stdout.write(text));
  const progress = loadProgressListener(io, isInteractive(io, 'stderr'));
  const listener: RunListener = (event) => {
    if (event.type === 'run-start') say(`idemaudit: loading ${url} (seed ${event.seed}; rerun with --seed ${event.seed})\n`);
    progress(event);
  };
  const audit: AuditFlags = {
    reportDir: flags.reportDir,
    format: flags.format ?? [],
    failOn: flags.failOn ?? 'deviation',
    only: [],
    skip: [],
    allowHost: flags.allowHost ?? [],
    ...(flags.seed ? { seed: flags.seed } : {}),
    ...(flags.profile ? { profile: flags.profile } : {}),
  };
  return auditAndReport(scenario, audit, io, { listener, ...(flags.json ? { json: true } : {}) });
}
