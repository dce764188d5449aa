// load: sustained traffic at a declared rate (open model) or concurrency (closed model), mixing
// fresh keys with duplicates — replays of completed originals and duplicates fired while their
// original is still in flight. Judged on: zero duplicate executions under load (ledger summary,
// identity ids of every compared duplicate, per-key oracles for a sample of duplicated keys),
// replays that match their originals, and the scenario's thresholds (k6-like, on latency from the
// intended start, error and conflict rates, achieved rate). See src/engine/load/ for the engine.
import type { Exchange } from '../core/exchange.js';
import { isSuccess, jsonBody } from '../core/exchange.js';
import { assertSocketBudget } from '../engine/fd-limit.js';
import { bodyPool, runLoad } from '../engine/load/index.js';
import { type ExecutorSpec, type LoadProgress, type LoadRequestTemplate, type LoadResult } from '../engine/load/types.js';
import { LoadOptions, type LoadCheckOptions } from '../scenario/check-options/load.js';
export { LoadOptions, type LoadCheckOptions };
import { OUTCOME_ORDER } from '../engine/load/stats.js';
import {
  evaluateThreshold, formatValue, parseThresholds,
  type CounterName, type Threshold, type ThresholdMetrics,
} from '../metrics/thresholds.js';
import type { Profile } from '../profiles/index.js';
import type { LoadRunReport, Outcome } from '../report/model.js';
import { placeholdersIn } from '../scenario/template.js';
import { defineCheck, finding, type CheckContext, type Finding } from './api.js';

/** Keys that received duplicates whose executions are counted one by one after the run. */
const KEYS_PER_KEY_ORACLE = 8;
/** Pool of pre-rendered bodies cycled by fresh keys (templates render once, not per request). */
const BODY_POOL = 64;



// ---------------------------------------------------------------------------------------------
// Plan (pure)

export function executorSpec(o: LoadCheckOptions): ExecutorSpec {
  switch (o.executor) {
    case 'constant-arrival-rate':
      return { name: o.executor, rate: o.rate!, durationMs: o.duration, connections: o.connections ?? 50, maxInFlight: o.maxInFlight };
    case 'ramping-arrival-rate':
      return {
        name: o.executor, startRate: o.startRate, connections: o.connections ?? 50, maxInFlight: o.maxInFlight,
        stages: o.stages!.map((s) => ({ target: s.target, durationMs: s.duration })),
      };
    case 'constant-connections':
      return { name: o.executor, connections: o.connections ?? 50, durationMs: o.duration };
  }
}

/** Highest rate the plan asks for (req/s), undefined for the closed model. */
export function peakRate(o: LoadCheckOptions): number | undefined {
  if (o.executor === 'constant-arrival-rate') return o.rate;
  if (o.executor === 'ramping-arrival-rate') return Math.max(o.startRate, ...(o.stages ?? []).map((s) => s.target));
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Oracles

export interface LedgerSummaryDoc {
  total: number;
  duplicates: Array<{ key: string; executions: number }>;
}

export function parseLedgerSummary(doc: unknown): LedgerSummaryDoc | undefined {
  if (!doc || typeof doc !== 'object') return undefined;
  const d = doc as { total?: unknown; duplicates?: unknown };
  if (typeof d.total !== 'number' || !Array.isArray(d.duplicates)) return undefined;
  const duplicates = d.duplicates.filter((x): x is { key: string; executions: number } =>
    !!x && typeof (x as { key?: unknown }).key === 'string' && typeof (x as { executions?: unknown }).executions === 'number');
  return { total: d.total, duplicates };
}

export interface OracleFigures {
  /** Executions beyond the first, per oracle that could tell. */
  identity?: number;
  /** Ledger summary: keys of this run listed as executed more than once. */
  ledgerKeys?: number;
  /** Ledger summary: executions during the run beyond one per key sent. */
  ledgerExcess?: number;
  /** Per-key oracles (probe, ledger) on a sample of duplicated keys. */
  sampled?: { keys: number; excess: number };
}

/** The most any oracle saw; null when none could see anything. */
export function duplicateExecutions(o: OracleFigures): number | null {
  const seen = [o.identity, o.ledgerKeys, o.ledgerExcess, o.sampled?.excess].filter((n): n is number => n !== undefined);
  return seen.length === 0 ? null : Math.max(...seen);
}

// ---------------------------------------------------------------------------------------------
// Metrics and judgement (pure)

/**
 * Completed requests per second. Open models divide by the PLANNED duration, so the answers of the
 * last requests (arriving after it) do not count against the rate; the closed model divides by the
 * time from the first send to the last answer.
 */
export function achievedRate(r: LoadResult): number {
  const window = r.targetRate !== undefined ? r.durationMs : r.elapsedMs;
  return window > 0 ? (r.completed * 1000) / window : 0;
}

export function loadMetrics(r: LoadResult, dupExecutions: number | null): ThresholdMetrics {
  const done = r.completed;
  const frac = (n: number): number | undefined => (done > 0 ? n / done : undefined);
  const c = (o: Outcome): number => r.stats.count(o);
  const counters: Record<CounterName, () => number | null | undefined> = {
    error_rate: () => frac(c('error') + c('timeout')),
    conflict_rate: () => frac(c('conflict')),
    mismatch_rate: () => frac(c('mismatch')),
    replay_rate: () => frac(c('replay')),
    timeout_rate: () => frac(c('timeout')),
    rejected_rate: () => frac(c('rejected')),
    rate: () => (r.targetRate ? achievedRate(r) / r.targetRate : undefined),
    rps: () => achievedRate(r),
    requests: () => done,
    dropped: () => r.dropped,
    duplicate_executions: () => dupExecutions,
    replay_mismatches: () => r.duplicates.replayMismatches + r.duplicates.unexplainedDifferences,
  };
  return {
    latency: (source, outcome, stat) => r.stats.stat(source, outcome, stat),
    count: (outcome) => r.stats.count(outcome),
    counter: (name) => counters[name](),
  };
}

export function loadFigures(r: LoadResult, dupExecutions: number | null, thresholdRows: LoadRunReport['thresholds']): LoadRunReport {
  const outcomes: Partial<Record<Outcome, number>> = {};
  for (const o of OUTCOME_ORDER) if (r.stats.count(o) > 0) outcomes[o] = r.stats.count(o);
  const done = Math.max(1, r.completed);
  const fig: LoadRunReport = {
    executor: r.executor,
    achievedRate: Math.round(achievedRate(r) * 10) / 10,
    connections: r.connections,
    durationMs: r.durationMs,
    elapsedMs: Math.round(r.elapsedMs),
    sent: r.sent,
    completed: r.completed,
    dropped: r.dropped,
    capped: r.capped,
    mix: { ...r.kinds },
    outcomes,
    statuses: r.statuses,
    errors: r.errors,
    conflictRate: r.stats.count('conflict') / done,
    errorRate: (r.stats.count('error') + r.stats.count('timeout')) / done,
    duplicateExecutions: dupExecutions,
    replayMismatches: r.duplicates.replayMismatches + r.duplicates.unexplainedDifferences,
    replaysCompared: r.duplicates.replaysCompared + r.duplicates.pairsCompared,
    thresholds: thresholdRows,
    latency: { intended: r.stats.summaries('latency'), service: r.stats.summaries('service') },
  };
  if (r.stoppedEarly) fig.stoppedEarly = r.stoppedEarly;
  if (r.targetRate !== undefined) fig.targetRate = Math.round(r.targetRate * 10) / 10;
  if (r.planned !== undefined) fig.planned = r.planned;
  return fig;
}

const pct = (f: number): string => `${Number((f * 100).toFixed(2))}%`;

export interface LoadJudgeInput {
  result: LoadResult;
  oracles: OracleFigures;
  /** Whether any oracle could have seen a duplicate execution. */
  oracleAvailable: boolean;
  thresholds: Threshold[];
  profile: Profile;
  /** Exchanges that show duplicate executions seen by the ledger (the summary answer). */
  ledgerEvidence?: Exchange[];
  /** Why the run was capped below the options' maxRequests, if it was. */
  capNote?: string;
}

export function judgeLoad(input: LoadJudgeInput): Finding[] {
  const { result: r, profile } = input;
  const dupsSent = r.kinds.replay + r.kinds.inflight;
  const dupExec = dupsSent === 0 ? 0 : input.oracleAvailable ? duplicateExecutions(input.oracles) : null;
  const metrics = loadMetrics(r, dupExec);
  const evaluations = input.thresholds.map((t) => evaluateThreshold(t, metrics));
  const rows = evaluations.map((e) => ({
    expression: e.threshold.source,
    verdict: (e.ok === undefined ? 'skip' : e.ok ? 'pass' : 'fail') as 'pass' | 'fail' | 'skip',
    observed: e.text,
  }));
  const figures = loadFigures(r, dupExec, rows);
  const histograms = r.stats.encode();
  const facts: Record<string, unknown> = { load: figures, oracles: input.oracles };
  const findings: Finding[] = [];
  const rate = r.targetRate !== undefined ? `${figures.achievedRate} req/s of ${figures.targetRate} target` : `${figures.achievedRate} req/s on ${r.connections} connections`;
  const head = `${r.completed} requests (${r.executor}, ${rate})`;

  if (r.completed === 0) {
    const why = Object.entries(r.errors).map(([e, n]) => `${e} x${n}`).join(', ') || 'nothing was sent';
    return [{ ...finding('error', 'deviation', `${head}: no request completed (${why})`, profile.cite.execution, [], facts), load: { figures, histograms } }];
  }

  if (r.stoppedEarly) {
    findings.push(finding('fail', 'deviation', `${head}: the load stopped early, ${r.stoppedEarly}`, profile.cite.execution, r.samples.filter((e) => e.error || (e.response?.status ?? 0) >= 500).slice(0, 3), facts));
  }

  const mix = `${r.kinds.fresh} fresh keys, ${r.kinds.replay} replays, ${r.kinds.inflight} in-flight duplicates`;
  const conflicts = `conflict rate ${pct(figures.conflictRate)}`;
  if (dupExec === null) {
    findings.push(finding('skip', 'violation',
      `${head}: no side-effect oracle, so duplicate executions under load cannot be counted: declare \`identity\` or \`probe\` on the endpoint (or audit target self)${r.duplicates.unexplainedDifferences > 0 ? `; ${r.duplicates.unexplainedDifferences} duplicates got a different 2xx body than their original` : ''}`,
      profile.cite.execution, [], facts));
  } else if (dupExec > 0) {
    const idPairs = r.evidence.identity.flat();
    const by = Object.entries(input.oracles)
      .map(([k, v]) => `${k} ${typeof v === 'object' ? `${v.excess} in ${v.keys} sampled keys` : v}`).join(', ');
    findings.push({
      ...finding('fail', 'violation',
        `${head}: ${dupExec} duplicate execution${dupExec === 1 ? '' : 's'} under load (${by}); ${mix}`,
        profile.cite.execution, idPairs.length > 0 ? idPairs : (input.ledgerEvidence ?? []), facts),
      concurrent: idPairs.length > 0,
    });
  } else {
    findings.push(finding('pass', 'violation',
      `${head}: zero duplicate executions (${Object.keys(input.oracles).join(', ') || 'no duplicates sent'}); ${mix}; ${figures.replaysCompared} duplicates matched their original; ${conflicts}`,
      profile.cite.execution, r.samples.slice(0, 2), facts));
  }

  const mismatches = r.duplicates.replayMismatches + r.duplicates.unexplainedDifferences;
  if (mismatches > 0) {
    const pairs = [...r.evidence.mismatch, ...r.evidence.unexplained].flat();
    findings.push(finding('fail', 'violation',
      `${mismatches} of ${figures.replaysCompared} duplicates answered 2xx with another status or body than their original (a replay must return the stored response byte for byte)`,
      profile.cite.replay, pairs, { replaysCompared: figures.replaysCompared, replayMismatches: mismatches }));
  }

  if (input.capNote) {
    findings.push(finding('pass', 'observation', input.capNote, profile.cite.execution, []));
  }

  // The first finding carries the run's figures and histograms to the report's load section.
  if (findings[0]) findings[0].load = { figures, histograms };

  for (const e of evaluations) {
    const verdict = e.ok === undefined ? 'skip' : e.ok ? 'pass' : 'fail';
    const level = e.threshold.level;
    const message = e.ok === undefined
      ? `threshold ${e.threshold.source}: no data (${e.text.split(': ').slice(1).join(': ')})`
      : `threshold ${e.text} -> ${e.ok ? 'met' : 'breached'}`;
    findings.push(finding(verdict, level, message, 'scenario thresholds (check load)', [], {
      threshold: e.threshold.source,
      left: e.left === undefined ? null : formatValue(e.left, e.threshold.valueKind),
      right: e.right === undefined ? null : formatValue(e.right, e.threshold.valueKind),
    }));
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// I/O

export function loadTemplate(ctx: CheckContext<LoadCheckOptions>): LoadRequestTemplate {
  const endpoint = ctx.endpoint;
  const tenant = ctx.options.tenant ?? ctx.requests.defaultTenant;
  const url = new URL(ctx.requests.url(endpoint.path));
  const headers: string[] = [];
  for (const [name, value] of Object.entries(ctx.requests.headersFor(endpoint, tenant))) {
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'content-length' || lower === 'connection' || lower === 'transfer-encoding') continue;
    headers.push(lower, value);
  }
  const vars = tenant ? { tenant } : {};
  const perKey = endpoint.body !== undefined && placeholdersIn(typeof endpoint.body === 'string' ? endpoint.body : JSON.stringify(endpoint.body)).includes('key');
  const body = perKey
    ? (_n: number, key: string) => ctx.requests.renderBody(endpoint, { ...vars, key })
    : bodyPool(() => ctx.requests.renderBody(endpoint, vars), BODY_POOL);
  const template: LoadRequestTemplate = {
    endpoint: endpoint.name,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: endpoint.method,
    headers,
    keyHeader: ctx.scenario.defaults.keyHeader.toLowerCase(),
    keyFormat: ctx.scenario.defaults.keyFormat ?? ctx.profile.keyFormat,
    body,
  };
  if (tenant) template.tenant = tenant;
  return template;
}

function ledgerUrlOf(ctx: CheckContext<unknown>): string | undefined {
  if (!ctx.oracle.available.includes('ledger')) return undefined;
  const declared = ctx.scenario.ledger;
  if (declared) return declared.startsWith('/') ? ctx.requests.url(declared) : declared;
  return ctx.requests.url('/_idemaudit/ledger');
}

async function readLedger(ctx: CheckContext<unknown>, url: string): Promise<{ doc?: LedgerSummaryDoc; exchange: Exchange }> {
  const exchange = await ctx.http.send({ method: 'GET', url, headers: {} }, { label: 'ledger', endpoint: ctx.endpoint.name });
  const doc = isSuccess(exchange) ? parseLedgerSummary(jsonBody(exchange)) : undefined;
  return doc ? { doc, exchange } : { exchange };
}

export const load = defineCheck<LoadCheckOptions>({
  id: 'load',
  title: 'Load',
  summary: 'traffic at a rate (open model) or concurrency (closed) with fresh keys, replays and in-flight duplicates: zero duplicate executions, matching replays, latency thresholds',
  options: LoadOptions,
  declaredOnly: true,
  applies(ctx) {
    // Sustained traffic only when asked for: a scenario that declares no checks runs everything else.
    return 'load' in ctx.scenario.checks ? true : 'load runs only when declared under checks: (it sends sustained traffic)';
  },
  async run(ctx) {
    const o = ctx.options;
    const { thresholds } = parseThresholds(o.thresholds);
    const spec = executorSpec(o);
    const maxRate = ctx.scenario.limits.maxRate;
    const peak = peakRate(o);
    if (maxRate !== undefined && (peak === undefined || peak > maxRate)) {
      return [finding('error', 'deviation',
        peak === undefined
          ? `limits.maxRate is ${maxRate} req/s but ${o.executor} has no rate bound: use constant-arrival-rate or ramping-arrival-rate`
          : `the load asks for ${peak} req/s but limits.maxRate is ${maxRate} req/s`,
        ctx.profile.cite.execution, [])];
    }
    assertSocketBudget(spec.connections);
    const maxRequests = Math.min(o.maxRequests, ctx.scenario.limits.maxRequests);
    const timeoutMs = o.timeoutMs ?? ctx.scenario.defaults.timeoutMs;

    // One warm-up request through the audit's own client first: it passes the run's gate (safety
    // rails, dry run), shows up in the evidence, and stops a load that could only fail (wrong path,
    // credentials or body) before it sends thousands of requests.
    const warmKey = ctx.keys.next();
    const tenant = o.tenant ?? ctx.requests.defaultTenant;
    const warm = await ctx.http.send(ctx.requests.build({ endpoint: ctx.endpoint, key: warmKey, ...(tenant ? { tenant } : {}) }),
      { label: 'load: warm-up', endpoint: ctx.endpoint.name, key: warmKey, ...(tenant ? { tenant } : {}) });
    if (warm.error?.startsWith('dry run')) {
      const what = peak !== undefined ? `${o.executor} up to ${peak} req/s` : `${o.executor} on ${spec.connections} connections`;
      return [finding('skip', 'observation', `dry run: the load (${what} for ${o.executor === 'ramping-arrival-rate' ? 'its stages' : `${o.duration} ms`}, at most ${maxRequests} requests) was not sent`, ctx.profile.cite.execution, [])];
    }
    if (ctx.signal.aborted || warm.error?.startsWith('not sent')) return [];
    if (!isSuccess(warm)) {
      return [finding('error', 'deviation',
        `the warm-up request answered ${warm.response ? warm.response.status : warm.error}: the load was not started (check the endpoint's path, body, credentials and key format)`,
        ctx.profile.cite.execution, [warm])];
    }

    const ledgerUrl = ledgerUrlOf(ctx);
    const before = ledgerUrl ? await readLedger(ctx, ledgerUrl) : undefined;
    if (ctx.signal.aborted) return [];

    const onProgress = (p: LoadProgress): void => ctx.emit({ type: 'load-progress', progress: p });
    const result = await runLoad({
      template: loadTemplate(ctx),
      executor: spec,
      maxRequests,
      timeoutMs,
      duplicates: o.duplicates,
      inFlightDuplicates: o.inFlightDuplicates,
      seed: `${ctx.keys.next()}`,
      statuses: ctx.profile.expect,
      ...(ctx.endpoint.identity ? { identity: ctx.endpoint.identity } : {}),
      signal: ctx.signal,
      onProgress,
      bailout: ctx.scenario.limits.bailout,
    });
    try {
      if (ctx.signal.aborted) return [];
      const oracles: OracleFigures = {};
      let oracleAvailable = false;
      let ledgerEvidence: Exchange[] | undefined;
      if (ctx.endpoint.identity && result.duplicates.pairsCompared + result.duplicates.replaysCompared > 0) {
        oracles.identity = result.duplicates.identityDuplicates;
        oracleAvailable = true;
      }
      const after = ledgerUrl ? await readLedger(ctx, ledgerUrl) : undefined;
      if (before?.doc && after?.doc) {
        const ours = after.doc.duplicates.filter((d) => d.key.startsWith(result.keyPrefix));
        oracles.ledgerKeys = ours.reduce((s, d) => s + d.executions - 1, 0);
        oracles.ledgerExcess = Math.max(0, after.doc.total - before.doc.total - result.keys);
        oracleAvailable = true;
        if (oracles.ledgerKeys > 0 || oracles.ledgerExcess > 0) ledgerEvidence = [after.exchange];
      }
      // Per-key oracles for a sample of duplicated keys: the probe when declared, the ledger when it
      // has no summary. Bounded: a few requests whatever the size of the run.
      const perKey = ctx.oracle.available.includes('probe') || (ledgerUrl !== undefined && !before?.doc);
      if (perKey && result.duplicatedKeys.length > 0) {
        let excess = 0;
        const keys = result.duplicatedKeys.slice(0, KEYS_PER_KEY_ORACLE);
        for (const key of keys) {
          if (ctx.signal.aborted) return [];
          const count = await ctx.oracle.count(ctx.endpoint, key, [], ctx.options.tenant);
          if (count.executions !== null) excess += Math.max(0, count.executions - 1);
        }
        oracles.sampled = { keys: keys.length, excess };
        oracleAvailable = true;
      }
      const capNote = maxRequests < o.maxRequests && result.capped
        ? `the run stopped at limits.maxRequests (${maxRequests}) before its duration; raise limits.maxRequests to load longer`
        : undefined;
      return judgeLoad({
        result, oracles, oracleAvailable, thresholds, profile: ctx.profile,
        ...(ledgerEvidence ? { ledgerEvidence } : {}),
        ...(capNote ? { capNote } : {}),
      });
    } finally {
      result.stats.destroy();
    }
  },
});
