// Regressions and improvements between two runs (GUIDE section 6, review cadence), built to hold as
// a CI gate: two runs of the same code against the same server compare silent. Pure: two reports
// in, a list of changes out; `idemaudit compare` only prints it and picks the exit code.
//
// - Results compare like with like, per (check, endpoint): the worst verdict of each pair (fail at
//   its highest level > error > pass > skip/inconclusive). pass -> fail and a failure at a higher
//   level are regressions; a pair that failed before and passes now is fixed. A pair that could not
//   judge in one run (error, skip, inconclusive, absent) is a note, never an improvement.
//   Observations never fail a run, so they are neither.
// - Conflict share is judged together with executions: fewer 409s with more first executions means
//   copies that should have been turned away ran (a race), which is a regression, folded into the
//   endpoint's result regression when one explains it. Shares need `minSamples` answers per run,
//   the same concurrent bursts in both runs (race hunting varies them with the time it has) and a
//   change beyond both the tolerance and sampling noise (two-proportion z).
// - Latency: percentiles with confidence intervals from the runs' HdrHistograms
//   (src/report/latency-change.ts), only with `minSamples` answers per outcome in both runs, and
//   only against run-to-run noise: the new run's lower bound must clear the highest value of that
//   percentile over at least `minHistory` earlier runs (`--baseline <dir>`). With fewer earlier
//   runs the noise is unknown and a move is a note: two runs of the same server on this shared
//   2-core machine gave conflict p50s of 8 and 48 ms. Runs without histograms (older or merged
//   reports) get their p99 change as a note too, never a regression.
import { LEVEL_RANK, type Level } from '../core/verdict.js';
import { endpointNames, OUTCOMES } from './evidence.js';
import { judgeLatency, sharesDiffer, type PercentileInterval } from './latency-change.js';
import { decodeHistogram } from '../metrics/histogram.js';
import type { Outcome, Report, ResultRecord } from './model.js';

export interface CompareOptions {
  /** Allowed relative percentile increase beyond the noise, per endpoint and outcome (0.2 = +20 %). */
  tolerance: number;
  /** Allowed change of the conflict and execution shares per endpoint, absolute (0.05 = 5 points). */
  conflictTolerance: number;
  /** Latency changes smaller than this many milliseconds are ignored. */
  minLatencyDeltaMs: number;
  /** Fewer answers than this per outcome (latency) or per endpoint (shares) in a run: not judged. */
  minSamples: number;
  /** Percentiles compared. */
  percentiles: number[];
  /** Two-sided z of every interval and share test (2.576: 99 %). */
  z: number;
  /** A percentile is judged only with at least this many answers above it in both runs. */
  minTail: number;
  /**
   * Earlier runs of the same scenario (the baseline among them), for run-to-run noise. Latency is
   * gated only with at least `minHistory` of them: a change must clear the highest value any of
   * them saw, not only one run's sampling interval.
   */
  history?: Report[];
  minHistory: number;
}

export const DEFAULT_COMPARE: CompareOptions = {
  tolerance: 0.2,
  conflictTolerance: 0.05,
  minLatencyDeltaMs: 1,
  minSamples: 30,
  percentiles: [50, 90, 99],
  z: 2.576,
  minTail: 5,
  minHistory: 3,
};

export type ChangeKind =
  | 'new-failure' // a (check, endpoint) fails now and did not run or judge before
  | 'pass-to-fail' // a (check, endpoint) passed before and fails now
  | 'worse-level' // it failed before and fails at a higher level now
  | 'fixed' // it failed before and passes now
  | 'better-level' // it fails at a lower level now
  | 'conflicts-to-executions' // fewer conflicts, more executions: duplicates now run
  | 'conflict-rate' // more conflicts than before (clients turned away)
  | 'latency' // percentiles moved beyond tolerance and noise
  | 'coverage'; // present or judged in only one report, or not enough data (informational)

export interface Change {
  kind: ChangeKind;
  endpoint: string;
  check?: string;
  level?: Level;
  outcome?: Outcome;
  before?: number;
  after?: number;
  text: string;
}

export interface Comparison {
  regressions: Change[];
  improvements: Change[];
  /** Neither better nor worse, but worth knowing: coverage differences, too little data, different scenarios. */
  notes: Change[];
}

type PairState = { state: 'fail'; level: Level; r: ResultRecord } | { state: 'pass' | 'not-judged'; r: ResultRecord };

const pairOf = (r: { check: string; endpoint: string }): string => `${r.check}\u0000${r.endpoint}`;

/** The worst state of each (check, endpoint), in report order. */
function pairStates(rs: ResultRecord[]): Map<string, PairState> {
  const out = new Map<string, PairState>();
  const rank = (s: PairState): number => (s.state === 'fail' ? 10 + LEVEL_RANK[s.level] : s.state === 'pass' ? 1 : 0);
  for (const r of rs) {
    const s: PairState =
      r.verdict === 'fail' && r.level !== 'observation'
        ? { state: 'fail', level: r.level, r }
        : r.verdict === 'pass' || (r.verdict === 'fail' && r.level === 'observation')
          ? { state: 'pass', r }
          : { state: 'not-judged', r };
    const prev = out.get(pairOf(r));
    // An error beside a pass leaves the pair unproven.
    if (prev && prev.state === 'pass' && r.verdict === 'error') {
      out.set(pairOf(r), s);
      continue;
    }
    if (!prev || rank(s) > rank(prev)) out.set(pairOf(r), s);
  }
  return out;
}

function resultChanges(a: Report, b: Report, out: Comparison): void {
  const before = pairStates(a.results);
  const after = pairStates(b.results);
  const label = (r: ResultRecord): string => `${r.check} [${r.endpoint}]`;
  const regressions: Array<{ c: Change; rank: number }> = [];
  for (const [pair, now] of after) {
    const was = before.get(pair);
    const r = now.r;
    if (now.state === 'fail') {
      if (was?.state === 'pass')
        regressions.push({
          rank: LEVEL_RANK[now.level],
          c: {
            kind: 'pass-to-fail',
            check: r.check,
            endpoint: r.endpoint,
            level: now.level,
            text: `${label(r)} passed before, now fails (${now.level}): ${r.message}`,
          },
        });
      else if (was?.state === 'fail' && LEVEL_RANK[now.level] > LEVEL_RANK[was.level])
        regressions.push({
          rank: LEVEL_RANK[now.level],
          c: {
            kind: 'worse-level',
            check: r.check,
            endpoint: r.endpoint,
            level: now.level,
            text: `${label(r)} failed as a ${was.level} before, now as a ${now.level}: ${r.message}`,
          },
        });
      else if (was?.state === 'fail' && LEVEL_RANK[now.level] < LEVEL_RANK[was.level])
        out.improvements.push({
          kind: 'better-level',
          check: r.check,
          endpoint: r.endpoint,
          level: now.level,
          text: `${label(r)} failed as a ${was.level} before, now as a ${now.level}`,
        });
      else if (!was || was.state === 'not-judged')
        regressions.push({
          rank: LEVEL_RANK[now.level],
          c: {
            kind: 'new-failure',
            check: r.check,
            endpoint: r.endpoint,
            level: now.level,
            text: `${label(r)} new failure (${now.level}${was ? `; before: ${was.r.verdict}` : '; did not run before'}): ${r.message}`,
          },
        });
    } else if (was?.state === 'fail') {
      if (now.state === 'pass')
        out.improvements.push({
          kind: 'fixed',
          check: r.check,
          endpoint: r.endpoint,
          level: was.level,
          text: `${label(r)} no longer fails (${was.level}); before: ${was.r.message}`,
        });
      else
        out.notes.push({
          kind: 'coverage',
          check: r.check,
          endpoint: r.endpoint,
          level: was.level,
          text: `${label(r)} failed before (${was.level}) and could not judge now (${r.verdict}): ${r.message}`,
        });
    } else if (now.state === 'not-judged' && was?.state === 'pass') {
      out.notes.push({
        kind: 'coverage',
        check: r.check,
        endpoint: r.endpoint,
        text: `${label(r)} passed before and could not judge now (${r.verdict}): ${r.message}`,
      });
    } else if (!was) {
      out.notes.push({ kind: 'coverage', check: r.check, endpoint: r.endpoint, text: `${label(r)} is new in this report` });
    }
  }
  for (const [pair, was] of before) {
    if (after.has(pair)) continue;
    const r = was.r;
    out.notes.push({
      kind: 'coverage',
      check: r.check,
      endpoint: r.endpoint,
      ...(was.state === 'fail' ? { level: was.level } : {}),
      text:
        was.state === 'fail'
          ? `${label(r)} failed before (${was.level}) and did not run in the new report`
          : `${label(r)} ran before and not in the new report`,
    });
  }
  // Most serious first, report order within a level.
  out.regressions.push(
    ...regressions
      .map((x, i) => ({ ...x, i }))
      .sort((x, y) => y.rank - x.rank || x.i - y.i)
      .map((x) => x.c),
  );
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

function answers(report: Report, endpoint: string): { total: number; conflict: number; first: number } | undefined {
  const byOutcome = report.latency[endpoint];
  if (!byOutcome) return undefined;
  const total = OUTCOMES.reduce((sum, o) => sum + (byOutcome[o]?.count ?? 0), 0);
  return total === 0 ? undefined : { total, conflict: byOutcome.conflict?.count ?? 0, first: byOutcome.first?.count ?? 0 };
}

/**
 * The concurrent bursts a run sent to an endpoint, as "copies x bursts" (from concurrent-duplicates'
 * sweep), or undefined when it did not run there. Race hunting sends more or larger bursts while it
 * has time, so two runs of the same server can send different mixes, and bursts of 16 turn away a
 * larger share (15/16) than bursts of 8 (7/8): shares only compare between runs of the same plan.
 */
function burstPlan(report: Report, endpoint: string): string | undefined {
  const result = report.results.find((r) => r.check === 'concurrent-duplicates' && r.endpoint === endpoint);
  const sweep = result?.facts?.sweep;
  if (!Array.isArray(sweep)) return undefined;
  return sweep
    .map((row: { copies?: unknown; rounds?: unknown }) => ({ copies: Number(row.copies), rounds: Number(row.rounds) }))
    .sort((x, y) => x.copies - y.copies)
    .map((row) => `${row.copies}x${row.rounds}`)
    .join(', ');
}

function shareChanges(a: Report, b: Report, opts: CompareOptions, out: Comparison): void {
  const fixes = (endpoint: string): Change[] => out.improvements.filter((c) => c.endpoint === endpoint && c.kind === 'fixed');
  for (const endpoint of endpointNames(b)) {
    const sa = answers(a, endpoint);
    const sb = answers(b, endpoint);
    if (!sa || !sb) continue;
    const planA = burstPlan(a, endpoint);
    const planB = burstPlan(b, endpoint);
    const samePlan = planA === undefined || planB === undefined || planA === planB;
    const ca = sa.conflict / sa.total;
    const cb = sb.conflict / sb.total;
    const fa = sa.first / sa.total;
    const fb = sb.first / sb.total;
    const conflictMoved = sharesDiffer(sa.conflict, sa.total, sb.conflict, sb.total, opts.conflictTolerance, opts.z);
    if (!conflictMoved) continue;
    const text = `[${endpoint}] conflicts ${pct(ca)} -> ${pct(cb)}, first executions ${pct(fa)} -> ${pct(fb)} of answers (${sa.total} -> ${sb.total})`;
    if (!samePlan) {
      // A race still shows: its executions fail concurrent-duplicates, a pass-to-fail regression.
      out.notes.push({
        kind: 'coverage',
        endpoint,
        outcome: 'conflict',
        before: ca,
        after: cb,
        text: `${text}: the runs sent different concurrent bursts (copies x bursts: ${planA} vs ${planB}), so the shares are not comparable; not judged`,
      });
      continue;
    }
    if (sa.total < opts.minSamples || sb.total < opts.minSamples) {
      out.notes.push({
        kind: 'coverage',
        endpoint,
        outcome: 'conflict',
        before: ca,
        after: cb,
        text: `${text}: fewer than ${opts.minSamples} answers, not judged`,
      });
      continue;
    }
    const executionsRose = fb > fa && sharesDiffer(sa.first, sa.total, sb.first, sb.total, opts.conflictTolerance, opts.z);
    if (cb < ca && executionsRose) {
      // A race: copies that were turned away now execute. Fold it into the endpoint's result
      // regression when there is one (one cause, one regression).
      const mine = out.regressions.filter((c) => c.endpoint === endpoint && c.check);
      const explained = mine.find((c) => c.check === 'concurrent-duplicates') ?? mine[0];
      if (explained) explained.text += `; ${text.replace(`[${endpoint}] `, '')}: duplicates that were turned away now execute`;
      else
        out.regressions.push({
          kind: 'conflicts-to-executions',
          endpoint,
          outcome: 'conflict',
          before: ca,
          after: cb,
          text: `${text}: duplicates that were turned away now execute`,
        });
    } else if (cb > ca && fixes(endpoint).length > 0) {
      // A fixed race turns copies away that used to execute: part of the fix, not a regression.
      const fix = fixes(endpoint).find((c) => c.check === 'concurrent-duplicates') ?? fixes(endpoint)[0]!;
      fix.text += `; ${text.replace(`[${endpoint}] `, '')}: copies are turned away again`;
    } else if (cb > ca) {
      out.regressions.push({
        kind: 'conflict-rate',
        endpoint,
        outcome: 'conflict',
        before: ca,
        after: cb,
        text: `${text}: more requests turned away (more than +${pct(opts.conflictTolerance)} and beyond sampling noise)`,
      });
    } else {
      out.improvements.push({
        kind: 'conflict-rate',
        endpoint,
        outcome: 'conflict',
        before: ca,
        after: cb,
        text: `${text}: fewer conflicts without more executions`,
      });
    }
  }
}

const interval = (x: PercentileInterval): string => `p${x.percentile} ${x.value} ms [${x.low}, ${x.high}]`;

function latencyChanges(a: Report, b: Report, opts: CompareOptions, out: Comparison): void {
  for (const endpoint of endpointNames(b)) {
    const la = a.latency[endpoint] ?? {};
    const lb = b.latency[endpoint] ?? {};
    for (const outcome of OUTCOMES) {
      const pa = la[outcome];
      const pb = lb[outcome];
      if (!pa || !pb) {
        if (pa || pb)
          out.notes.push({
            kind: 'coverage',
            endpoint,
            outcome,
            text: `[${endpoint}] ${outcome} outcome ${pb ? 'is new' : 'no longer seen'} (${(pb ?? pa)!.count} answers)`,
          });
        continue;
      }
      const ha = a.latencyHistograms?.[endpoint]?.[outcome] ?? a.histograms?.[endpoint]?.[outcome]?.intended;
      const hb = b.latencyHistograms?.[endpoint]?.[outcome] ?? b.histograms?.[endpoint]?.[outcome]?.intended;
      if (!ha || !hb) {
        const delta = pb.p99 - pa.p99;
        if (Math.abs(delta) >= opts.minLatencyDeltaMs && pa.p99 > 0 && Math.abs(delta) / pa.p99 > opts.tolerance) {
          out.notes.push({
            kind: 'coverage',
            endpoint,
            outcome,
            before: pa.p99,
            after: pb.p99,
            text: `[${endpoint}] ${outcome} p99 ${pa.p99} ms -> ${pb.p99} ms: no latency histogram in ${ha ? 'the new' : 'the old'} report, so noise cannot be judged (not a regression)`,
          });
        }
        continue;
      }
      const gate = {
        tolerance: opts.tolerance,
        minDeltaMs: opts.minLatencyDeltaMs,
        minSamples: opts.minSamples,
        z: opts.z,
        percentiles: opts.percentiles,
        minTail: opts.minTail,
      };
      const v = judgeLatency(ha, hb, gate);
      if (v.kind === 'too-few' || v.kind === 'same') continue;
      const i = v.before.findIndex((x) => x.percentile === v.moved[v.moved.length - 1]);
      const before = v.before[i]!;
      const after = v.after[i]!;
      const text = `[${endpoint}] ${outcome} ${v.kind} at ${v.moved.map((p) => `p${p}`).join(', ')}: ${interval(before)} -> ${interval(after)} (n ${before.n} -> ${after.n}; ${Math.round((1 - 2 * (1 - normalCdf(opts.z))) * 100)} % intervals, tolerance ${pct(opts.tolerance)})`;
      const change: Change = { kind: 'latency', endpoint, outcome, before: before.value, after: after.value, text };
      if (v.kind === 'faster') {
        out.improvements.push(change);
        continue;
      }
      // Run-to-run noise: the new run's interval must also clear every earlier run's value.
      const band = noiseBand(opts.history ?? [], endpoint, outcome, v.moved, opts.minSamples);
      if (band.runs < opts.minHistory) {
        out.notes.push({
          ...change,
          kind: 'coverage',
          text: `${text}: run-to-run noise unknown (${band.runs} earlier run${band.runs === 1 ? '' : 's'} with this outcome; give --baseline a directory of at least ${opts.minHistory} runs to gate latency)`,
        });
      } else if (v.moved.some((p) => after.percentile === p && beyondBand(after.low, band.max[p]!, opts))) {
        out.regressions.push({
          ...change,
          text: `${text}; beyond the p${after.percentile} of all ${band.runs} earlier runs (max ${band.max[after.percentile]} ms)`,
        });
      } else {
        out.notes.push({ ...change, kind: 'coverage', text: `${text}: within the run-to-run noise of ${band.runs} earlier runs` });
      }
    }
  }
}

/** The highest value of each percentile over earlier runs with enough answers. */
function noiseBand(
  history: Report[],
  endpoint: string,
  outcome: Outcome,
  percentiles: number[],
  minSamples: number,
): { runs: number; max: Record<number, number> } {
  const max: Record<number, number> = {};
  let runs = 0;
  for (const r of history) {
    const enc = r.latencyHistograms?.[endpoint]?.[outcome] ?? r.histograms?.[endpoint]?.[outcome]?.intended;
    if (!enc) continue;
    const h = decodeHistogram(enc);
    try {
      if (h.totalCount < minSamples) continue;
      runs += 1;
      for (const p of percentiles) max[p] = Math.max(max[p] ?? 0, Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000);
    } finally {
      h.destroy();
    }
  }
  return { runs, max };
}

const beyondBand = (low: number, max: number, opts: CompareOptions): boolean => low > max * (1 + opts.tolerance) && low - max >= opts.minLatencyDeltaMs;

/** Standard normal CDF (Abramowitz-Stegun 7.1.26), only to label the intervals' confidence. */
function normalCdf(z: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export function compareReports(a: Report, b: Report, options: Partial<CompareOptions> = {}): Comparison {
  const opts: CompareOptions = { ...DEFAULT_COMPARE, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const out: Comparison = { regressions: [], improvements: [], notes: [] };
  if (a.scenario.name !== b.scenario.name)
    out.notes.push({ kind: 'coverage', endpoint: '', text: `different scenarios: ${a.scenario.name} -> ${b.scenario.name}` });
  if (a.profile !== b.profile) out.notes.push({ kind: 'coverage', endpoint: '', text: `different profiles: ${a.profile} -> ${b.profile}` });
  resultChanges(a, b, out);
  shareChanges(a, b, opts, out);
  latencyChanges(a, b, opts, out);
  for (const endpoint of endpointNames(a)) {
    if (!endpointNames(b).includes(endpoint)) out.notes.push({ kind: 'coverage', endpoint, text: `[${endpoint}] no longer audited` });
  }
  return out;
}

export const hasRegression = (c: Comparison): boolean => c.regressions.length > 0;
