// The versioned JSON report: the single input of every reporter (GUIDE section 3).
import type { Outcome } from '../core/outcome.js';
import { atLeast, type Level, type Verdict } from '../core/verdict.js';
import type { ExchangeRecord } from '../core/exchange.js';
import type { LatencySummary } from '../metrics/histogram.js';
import type { ObservabilityCoverage } from './observability.js';

export const SCHEMA_VERSION = 1;

export interface ResultRecord {
  check: string;
  endpoint: string;
  verdict: Verdict;
  level: Level;
  message: string;
  reference: string;
  facts?: Record<string, unknown>;
  /** The exchanges that prove the result, redacted. */
  evidence: ExchangeRecord[];
  /** For failed results: curl commands that replay the evidence (secrets as $IDEMAUDIT_* variables). */
  reproduce?: string[];
}

export type RunVerdict = 'pass' | 'fail' | 'incomplete';

export interface Summary {
  verdict: RunVerdict;
  failOn: Level;
  counts: Record<Verdict, number>;
  /** Failed results per level. */
  levels: Record<Level, number>;
  /** Why the run is incomplete (interrupted, target unreachable), when it is. */
  reason?: string;
  /** What stopped the run early. Interrupted runs are `incomplete` (exit 130); a run stopped by a
   * safety rail is `fail` if it already has findings (exit 1), else `incomplete` (exit 3). */
  stoppedBy?: StopCause;
}

export type StopCause = 'interrupted' | 'unreachable' | 'request-cap' | 'bail-out';

export type { Outcome };

/** What the scenario declared about an endpoint, for governance reports. */
export interface EndpointInfo {
  name: string;
  method: string;
  path: string;
  risk: 'critical' | 'high' | 'medium' | 'low';
  keyRequired: 'mandatory' | 'expected' | 'optional';
  /** Where the endpoint is declared in the scenario file (1-based), for SARIF locations. */
  source?: { line: number; column: number };
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'idemaudit'; version: string };
  scenario: { name: string; file?: string; description?: string };
  endpoints: EndpointInfo[];
  target: string;
  profile: string;
  seed: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  summary: Summary;
  results: ResultRecord[];
  /** endpoint -> outcome -> latency in milliseconds. */
  latency: Record<string, Partial<Record<Outcome, LatencySummary>>>;
  exchanges: ExchangeRecord[];
  /** Exchanges beyond the bound that were counted but not kept. */
  exchangesDropped: number;
  /** The chaos checks' Jepsen-style history (invoke / ok / fail / unknown per attempt), when one was written. */
  history?: ReportHistory;
  /** Load runs (check `load`) by endpoint: throughput, mix, outcomes, percentiles (ms), thresholds. */
  load?: Record<string, LoadRunReport>;
  /**
   * endpoint -> outcome -> HdrHistogram compressed base64 (values in MICROseconds) of the load run,
   * so runs from several machines merge exactly (`idemaudit report --merge`, src/report/merge.ts).
   * Where present, `latency` of that endpoint and outcome is computed from `intended`.
   */
  histograms?: Record<string, Partial<Record<Outcome, EncodedLatency>>>;
  /**
   * endpoint -> outcome -> HdrHistogram compressed base64 (µs) of the audit's own latency (the same
   * data as `latency`), so `compare` can put confidence intervals on percentiles.
   */
  latencyHistograms?: Record<string, Partial<Record<Outcome, string>>>;
  /** Observability coverage, when the scenario names a metrics endpoint (`observability.metrics`). */
  observability?: ObservabilityCoverage;
}

/** What a load run yields for the report: its figures and its latency histograms by outcome. */
export interface LoadOutcome {
  figures: LoadRunReport;
  histograms: Partial<Record<Outcome, EncodedLatency>>;
}

/** One outcome's latency histograms, HdrHistogram compressed base64, µs. */
export interface EncodedLatency {
  /** From each request's intended start (open model; queueing included) or its send (closed model). */
  intended: string;
  /** From the actual send (service time). */
  service: string;
}

/** Figures of a load run on one endpoint; rates in req/s, latencies in ms, ratios as fractions. */
export interface LoadRunReport {
  executor: 'constant-arrival-rate' | 'ramping-arrival-rate' | 'constant-connections';
  /** Mean target rate of the schedule; absent for the closed model. */
  targetRate?: number;
  /** Completed requests per second, first send to last answer. */
  achievedRate: number;
  connections: number;
  /** Planned length and actual length (first send to last answer). */
  durationMs: number;
  elapsedMs: number;
  /** Requests the schedule planned (open model). */
  planned?: number;
  sent: number;
  completed: number;
  /** Open model: requests not started because maxInFlight were outstanding. */
  dropped: number;
  /** Open model: requests sent more than 5 ms after their intended start, and the worst such lag (ms). */
  late?: number;
  maxLagMs?: number;
  /** This run was shard `index` of `count` (0-based) with keys under `keyPrefix`; `report --merge` checks the set. */
  shard?: { index: number; count: number; keyPrefix: string };
  /** Worker threads that sent the load (absent: one). Merged reports add up the runners' threads. */
  workers?: number;
  /** The run stopped at maxRequests. */
  capped: boolean;
  /** Why the run stopped sending before its end (bail-out: the target answered mostly errors). */
  stoppedEarly?: string;
  /** Requests by kind: fresh key, replay of a completed original, duplicate sent while its original was in flight. */
  mix: { fresh: number; replay: number; inflight: number };
  outcomes: Partial<Record<Outcome, number>>;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  conflictRate: number;
  errorRate: number;
  /** Executions beyond the first per key (null: no oracle could tell). */
  duplicateExecutions: number | null;
  /** Duplicates answered 2xx with another status or body than their original. */
  replayMismatches: number;
  replaysCompared: number;
  thresholds: Array<{ expression: string; verdict: 'pass' | 'fail' | 'skip'; observed: string }>;
  latency: { intended: Partial<Record<Outcome | 'all', LatencySummary>>; service: Partial<Record<Outcome | 'all', LatencySummary>> };
  /** How many runs these figures add up (mergeReports); absent for one run. */
  runs?: number;
}

export interface ReportHistory {
  /** Path of the JSONL file, `<report-dir>/<scenario>-<stamp>.history.jsonl`. */
  file: string;
  /** Operations written. */
  ops: number;
  /** Operations past the file's bound, counted but not written. */
  dropped: number;
  /** Why the file is incomplete, when writing failed. */
  error?: string;
}

export function summarize(results: ResultRecord[], failOn: Level, incomplete?: string, stoppedBy?: StopCause): Summary {
  const counts: Record<Verdict, number> = { pass: 0, fail: 0, skip: 0, error: 0, inconclusive: 0 };
  const levels: Record<Level, number> = { violation: 0, deviation: 0, observation: 0 };
  for (const r of results) {
    counts[r.verdict] += 1;
    if (r.verdict === 'fail') levels[r.level] += 1;
  }
  const findings = results.some((r) => r.verdict === 'fail' && atLeast(r.level, failOn));
  // A check that could not judge (error) leaves the audit unproven: that is not a pass. Findings
  // made before an early stop still stand, so a stopped run with findings is a failed run.
  const errored = results.some((r) => r.verdict === 'error');
  // An interrupted run is always incomplete: the person who pressed Ctrl-C asked for a partial answer.
  // So is a run whose target went down: what failed just before may be the target dying.
  // `inconclusive` results never fail a run: another result owns their root cause.
  const verdict: RunVerdict =
    incomplete && (stoppedBy === 'interrupted' || stoppedBy === 'unreachable')
      ? 'incomplete'
      : findings
        ? 'fail'
        : incomplete
          ? 'incomplete'
          : errored
            ? 'fail'
            : 'pass';
  const summary: Summary = { verdict, failOn, counts, levels };
  if (incomplete) summary.reason = incomplete;
  if (incomplete && stoppedBy) summary.stoppedBy = stoppedBy;
  return summary;
}

/** A load run's progress while it runs (about once a second), for the progress line and events. */
export interface LoadProgress {
  executor: LoadRunReport['executor'];
  elapsedMs: number;
  /** Planned length of the run (ms). */
  durationMs: number;
  sent: number;
  completed: number;
  /** Errors and timeouts so far. */
  errors: number;
  inFlight: number;
  /** Requests the open model could not start (in-flight cap). */
  dropped: number;
  /** Requests answered so far that left more than 5 ms (the engine's LATE_MS) after their intended start. */
  late: number;
  /** Target rate now (req/s); undefined for the closed model. */
  targetRate?: number;
  /** Completions per second over the last progress interval. */
  achievedRate: number;
}
