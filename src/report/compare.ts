// Regressions and improvements between two runs (GUIDE section 6, review cadence). Pure: two
// reports in, a list of changes out; `idemaudit compare` only prints it and picks the exit code.
import { bySeverity, type Level } from '../core/verdict.js';
import { endpointNames, OUTCOMES } from './evidence.js';
import type { Outcome, Report, ResultRecord } from './model.js';

export interface CompareOptions {
  /** Allowed relative p99 increase per endpoint and outcome (0.2 = +20 %). */
  tolerance: number;
  /** Allowed increase of the conflict share per endpoint, in absolute terms (0.05 = 5 points). */
  conflictTolerance: number;
  /** p99 changes smaller than this many milliseconds are noise, whatever the ratio. */
  minLatencyDeltaMs: number;
}

export const DEFAULT_COMPARE: CompareOptions = { tolerance: 0.2, conflictTolerance: 0.05, minLatencyDeltaMs: 1 };

export type ChangeKind =
  | 'new-failure' // a (check, endpoint, level) fails now and did not before
  | 'pass-to-fail' // same, and the (check, endpoint) passed before
  | 'fixed' // a (check, endpoint, level) failed before and the check passes now
  | 'conflict-rate' // the share of `conflict` outcomes changed beyond the tolerance
  | 'p99-latency' // p99 of an endpoint/outcome changed beyond the tolerance
  | 'coverage'; // a check, endpoint or outcome is present in only one report (informational)

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
  /** Neither better nor worse, but worth knowing: coverage differences, different scenarios. */
  notes: Change[];
}


const triple = (r: { check: string; endpoint: string; level: Level }): string => `${r.check}\u0000${r.endpoint}\u0000${r.level}`;
const pairOf = (r: { check: string; endpoint: string }): string => `${r.check}\u0000${r.endpoint}`;

/** A (check, endpoint) passed: some pass, no fail or error. */
function passedPairs(rs: ResultRecord[]): Set<string> {
  const out = new Set<string>();
  const bad = new Set(rs.filter((r) => r.verdict === 'fail' || r.verdict === 'error').map(pairOf));
  for (const r of rs) if (r.verdict === 'pass' && !bad.has(pairOf(r))) out.add(pairOf(r));
  return out;
}

/** Failed results, first of each (check, endpoint, level), in report order. */
function failures(rs: ResultRecord[]): Map<string, ResultRecord> {
  const out = new Map<string, ResultRecord>();
  for (const r of rs) if (r.verdict === 'fail' && r.level !== 'observation' && !out.has(triple(r))) out.set(triple(r), r);
  return out;
}

/** Observations never fail a run, so they are not regressions either. */
function resultChanges(a: Report, b: Report, out: Comparison): void {
  const before = failures(a.results);
  const after = failures(b.results);
  const passedBefore = passedPairs(a.results);
  const passedAfter = passedPairs(b.results);
  const ranBefore = new Set(a.results.filter((r) => r.verdict !== 'skip').map(pairOf));
  const ranAfter = new Set(b.results.filter((r) => r.verdict !== 'skip').map(pairOf));

  const sortByLevel = (m: Map<string, ResultRecord>): ResultRecord[] =>
    [...m.values()].map((r, i) => ({ r, i })).sort((x, y) => bySeverity(x.r.level, y.r.level) || x.i - y.i).map(({ r }) => r);

  for (const r of sortByLevel(after)) {
    if (before.has(triple(r))) continue;
    const wasPassing = passedBefore.has(pairOf(r));
    out.regressions.push({
      kind: wasPassing ? 'pass-to-fail' : 'new-failure', check: r.check, endpoint: r.endpoint, level: r.level,
      text: `${r.check} [${r.endpoint}] ${wasPassing ? 'passed before, now fails' : 'new failure'} (${r.level}): ${r.message}`,
    });
  }
  for (const r of sortByLevel(before)) {
    if (after.has(triple(r))) continue;
    if (passedAfter.has(pairOf(r)) || ranAfter.has(pairOf(r))) {
      out.improvements.push({ kind: 'fixed', check: r.check, endpoint: r.endpoint, level: r.level, text: `${r.check} [${r.endpoint}] no longer fails (${r.level}); before: ${r.message}` });
    } else {
      out.notes.push({ kind: 'coverage', check: r.check, endpoint: r.endpoint, level: r.level, text: `${r.check} [${r.endpoint}] failed before (${r.level}) and did not run in the new report` });
    }
  }
  for (const p of [...ranBefore].filter((p) => !ranAfter.has(p) && ![...before.values()].some((r) => pairOf(r) === p))) {
    const [check, endpoint] = p.split('\u0000') as [string, string];
    out.notes.push({ kind: 'coverage', check, endpoint, text: `${check} [${endpoint}] ran before and not in the new report` });
  }
  for (const p of [...ranAfter].filter((p) => !ranBefore.has(p))) {
    const [check, endpoint] = p.split('\u0000') as [string, string];
    out.notes.push({ kind: 'coverage', check, endpoint, text: `${check} [${endpoint}] is new in this report` });
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

function conflictShare(report: Report, endpoint: string): number | undefined {
  const byOutcome = report.latency[endpoint];
  if (!byOutcome) return undefined;
  const total = OUTCOMES.reduce((sum, o) => sum + (byOutcome[o]?.count ?? 0), 0);
  return total === 0 ? undefined : (byOutcome.conflict?.count ?? 0) / total;
}

function latencyChanges(a: Report, b: Report, opts: CompareOptions, out: Comparison): void {
  for (const endpoint of endpointNames(b)) {
    const sa = conflictShare(a, endpoint);
    const sb = conflictShare(b, endpoint);
    if (sa !== undefined && sb !== undefined) {
      const change: Change = { kind: 'conflict-rate', endpoint, outcome: 'conflict', before: sa, after: sb, text: `[${endpoint}] conflict share ${pct(sa)} -> ${pct(sb)}` };
      if (sb - sa > opts.conflictTolerance + 1e-12) out.regressions.push({ ...change, text: `${change.text} (more than +${pct(opts.conflictTolerance)})` });
      else if (sa - sb > opts.conflictTolerance + 1e-12) out.improvements.push(change);
    }
    const la = a.latency[endpoint] ?? {};
    const lb = b.latency[endpoint] ?? {};
    for (const outcome of OUTCOMES) {
      const pa = la[outcome];
      const pb = lb[outcome];
      if (!pa || !pb) {
        if (pa || pb) out.notes.push({ kind: 'coverage', endpoint, outcome, text: `[${endpoint}] ${outcome} outcome ${pb ? 'is new' : 'no longer seen'} (${(pb ?? pa)!.count} answers)` });
        continue;
      }
      const delta = pb.p99 - pa.p99;
      if (Math.abs(delta) < opts.minLatencyDeltaMs) continue;
      const ratio = pa.p99 > 0 ? delta / pa.p99 : Number.POSITIVE_INFINITY;
      const change: Change = { kind: 'p99-latency', endpoint, outcome, before: pa.p99, after: pb.p99, text: `[${endpoint}] ${outcome} p99 ${pa.p99} ms -> ${pb.p99} ms (${delta > 0 ? '+' : ''}${Number.isFinite(ratio) ? pct(ratio) : 'from 0'})` };
      if (delta > 0 && ratio > opts.tolerance + 1e-12) out.regressions.push(change);
      else if (delta < 0 && -ratio > opts.tolerance + 1e-12) out.improvements.push(change);
    }
  }
}

export function compareReports(a: Report, b: Report, options: Partial<CompareOptions> = {}): Comparison {
  const opts: CompareOptions = { ...DEFAULT_COMPARE, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const out: Comparison = { regressions: [], improvements: [], notes: [] };
  if (a.scenario.name !== b.scenario.name) out.notes.push({ kind: 'coverage', endpoint: '', text: `different scenarios: ${a.scenario.name} -> ${b.scenario.name}` });
  if (a.profile !== b.profile) out.notes.push({ kind: 'coverage', endpoint: '', text: `different profiles: ${a.profile} -> ${b.profile}` });
  resultChanges(a, b, out);
  latencyChanges(a, b, opts, out);
  for (const endpoint of endpointNames(a)) {
    if (!endpointNames(b).includes(endpoint)) out.notes.push({ kind: 'coverage', endpoint, text: `[${endpoint}] no longer audited` });
  }
  return out;
}

export const hasRegression = (c: Comparison): boolean => c.regressions.length > 0;
