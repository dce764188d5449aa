// Per-endpoint governance: the seed's checklist (GUIDE section 6) filled from the results, and an
// operational maturity level derived from them. Pure and deterministic: the same report always
// yields the same checklist, level and reasons.
//
// Maturity levels (cumulative: each level needs every criterion of the levels below it):
//   L0  not established: a violation failed, or dedupe was never verified.
//   L1  endpoint-level dedupe works: no failed violation on the endpoint, and concurrent-duplicates
//       or sequential-replay passed.
//   L2  standard key policy plus basic replay metrics: missing-key, payload-mismatch and
//       concurrent-duplicates each passed (no failed deviation, no error), and sequential-replay
//       passed with a replay marker on the replay (replays are countable from outside).
//   L3  scoping, cross-service propagation and conflict analytics: cross-tenant passed; cross-endpoint
//       passed when it is part of the run; downstream-propagation, downstream-dedupe and
//       downstream-failure passed (the scenario declares the endpoint's dependency under downstream:;
//       each one not run is named); and in-flight duplicates were answered with a conflict (at least
//       one `conflict` outcome in the endpoint's latency), so the conflict rate is measurable.
//   L4  rehearsed failure modes plus regional failover validation: timeout-retry, lost-response and
//       in-flight-recovery all passed, and so did the failover checks (cross-instance-duplicates and
//       failover-replay, over two or more instances or regions declared under `targets:`). L4 is only
//       reachable once they all run; the report names the ones that did not.
// "Passed" means: at least one result with verdict pass and none with fail or error.
import { RISK_TEXT } from './catalogue.js';
import { coverageStatus, coverageText } from './observability.js';
import { endpointInfo, endpointNames } from './evidence.js';
import type { EndpointInfo, Report, ResultRecord } from './model.js';
import { ownerOf } from '../core/verdict.js';

export type ItemStatus = 'pass' | 'violation' | 'deviation' | 'observed' | 'error' | 'skipped' | 'not measured';

export interface ChecklistItem {
  item: string;
  /** What the scenario or the profile's rule declares. */
  declared: string;
  /** What the audit saw, from results' messages and facts; "not measured" when nothing did. */
  observed: string;
  status: ItemStatus;
  checks: string[];
}

export interface Maturity {
  level: 0 | 1 | 2 | 3 | 4;
  label: 'L0' | 'L1' | 'L2' | 'L3' | 'L4';
  /** Why the endpoint has its level: one line per level reached. */
  reasons: string[];
  /** What keeps it from the next level (empty at L4). */
  missing: string[];
  /** Set when the evidence cannot grade maturity at all (a load-only run): the level is then 0 and meaningless. */
  ungraded?: string;
}

export interface EndpointGovernance {
  name: string;
  info?: EndpointInfo;
  risk: string;
  riskText: string;
  checklist: ChecklistItem[];
  maturity: Maturity;
  failed: { violation: number; deviation: number; observation: number };
}

export const MATURITY_TEXT: Record<Maturity['label'], string> = {
  L0: 'not established',
  L1: 'endpoint-level dedupe',
  L2: 'standard key policy and replay metrics',
  L3: 'scoping, cross-service propagation and conflict analytics',
  L4: 'rehearsed failure modes',
};

export const CHAOS_CHECKS = ['timeout-retry', 'lost-response', 'in-flight-recovery'] as const;
/** Regional failover validation (GUIDE section 6, L4): one key across instances or regions of the API. */
export const FAILOVER_CHECKS = ['cross-instance-duplicates', 'failover-replay'] as const;
/** Cross-service propagation (GUIDE section 6, L3): the checks over a dependency's recorded calls. */
export const DOWNSTREAM_CHECKS = ['downstream-propagation', 'downstream-dedupe', 'downstream-failure'] as const;

const unique = (xs: string[]): string[] => [...new Set(xs)];

/** The combined status of some results (one or several checks) on one endpoint. */
export function statusOf(results: ResultRecord[]): ItemStatus {
  if (results.length === 0) return 'not measured';
  const failed = results.filter((r) => r.verdict === 'fail');
  if (failed.some((r) => r.level === 'violation')) return 'violation';
  if (failed.some((r) => r.level === 'deviation')) return 'deviation';
  if (failed.length > 0) return 'observed';
  if (results.some((r) => r.verdict === 'error')) return 'error';
  const passed = results.filter((r) => r.verdict === 'pass');
  if (passed.length === 0) return 'skipped';
  return passed.every((r) => r.level === 'observation') ? 'observed' : 'pass';
}

const ORDER: Record<string, number> = { fail: 0, error: 1, pass: 2, skip: 3 };

function observedText(results: ResultRecord[]): string {
  if (results.length === 0) return 'not measured';
  const sorted = [...results].sort((a, b) => (ORDER[a.verdict] ?? 9) - (ORDER[b.verdict] ?? 9));
  return unique(sorted.map((r) => (r.verdict === 'skip' ? `skipped: ${r.message}` : r.message))).join('; ');
}

const declaredRule = (results: ResultRecord[], fallback = 'not declared in the report'): string =>
  results.length > 0 ? unique(results.map((r) => r.reference)).join('; ') : fallback;

function humanMs(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) if (v >= size && v % size === 0) return `${v / size} ${unit}`;
  return v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${v} ms`;
}

/** First value found under one of `names` in the facts of `results`. */
function fact(results: ResultRecord[], names: string[]): unknown {
  for (const r of results) for (const n of names) if (r.facts && r.facts[n] !== undefined && r.facts[n] !== null) return r.facts[n];
  return undefined;
}

const KEY_REQUIRED_TEXT: Record<EndpointInfo['keyRequired'], string> = {
  mandatory: 'yes (mandatory for this endpoint)',
  expected: 'expected (required where the profile requires keys)',
  optional: 'no (optional)',
};

/** Why a checklist row has no measurement. */
function notAudited(rs: ResultRecord[], checks: string[]): string {
  const loadOnly = rs.length > 0 && rs.every((r) => r.check === 'load');
  return `not audited: ${checks.join(', ')} ${checks.length === 1 ? 'was' : 'were'} not part of this run${loadOnly ? ' (a load-only run)' : ''}`;
}

/** What the expiry check really exercised: the wait it made against the declared retention. */
function retentionObserved(expiry: ResultRecord[]): string | undefined {
  const waitMs = fact(expiry, ['waitMs']);
  const declaredMs = fact(expiry, ['declaredRetentionMs']);
  const before = fact(expiry, ['before']);
  if (typeof waitMs !== 'number') return undefined;
  const at = `+${humanMs(waitMs) ?? `${waitMs} ms`}`;
  const what =
    before === 'replay'
      ? `replayed at ${at}`
      : before === undefined
        ? `retried at ${at}`
        : `retried at ${at}: ${typeof before === 'string' ? before : JSON.stringify(before)}`;
  const after = fact(expiry, ['after']);
  const past = typeof after === 'string' && !after.startsWith('not tested') ? `; past the test retention: ${after}` : '';
  if (typeof declaredMs === 'number' && declaredMs > waitMs) return `${what}; the declared ${humanMs(declaredMs)} was not exercised${past}`;
  return `${what}${past}`;
}

function checklist(report: Report, info: EndpointInfo | undefined, rs: ResultRecord[]): ChecklistItem[] {
  const of = (...checks: string[]): ResultRecord[] => rs.filter((r) => checks.includes(r.check));
  const item = (name: string, checks: string[], declared: string, observed?: string, status?: ItemStatus): ChecklistItem => {
    const results = of(...checks);
    return {
      item: name,
      declared,
      observed: observed ?? (results.length === 0 ? notAudited(rs, checks) : observedText(results)),
      status: status ?? statusOf(results),
      checks,
    };
  };

  const expiry = of('expiry');
  const declaredRetention = humanMs(fact(expiry, ['declaredRetentionMs', 'declaredRetention', 'declaredTtlMs']));
  // A pass that waited far less than the declared retention proves only what it waited.
  const observedRetention = retentionObserved(expiry);
  const retentionShort =
    typeof fact(expiry, ['waitMs']) === 'number' &&
    typeof fact(expiry, ['declaredRetentionMs']) === 'number' &&
    (fact(expiry, ['waitMs']) as number) < (fact(expiry, ['declaredRetentionMs']) as number);

  // Observability is "not measured" unless a result says something about it.
  const obsResults = rs.filter((r) => r.check === 'observability' || (r.facts && r.facts.observability !== undefined));
  const obsFact = fact(obsResults, ['observability']);
  const obsObserved =
    obsResults.length === 0
      ? 'not audited: no metrics endpoint was scraped in this run'
      : obsFact === undefined
        ? observedText(obsResults)
        : typeof obsFact === 'string'
          ? obsFact
          : JSON.stringify(obsFact);

  return [
    item('Key required', ['missing-key'], info ? KEY_REQUIRED_TEXT[info.keyRequired] : 'not declared in the report'),
    {
      item: 'Retention window',
      declared: declaredRetention ?? (expiry.length > 0 ? declaredRule(expiry) : 'not declared in the report'),
      observed: observedRetention ?? (expiry.length > 0 ? observedText(expiry) : notAudited(rs, ['expiry'])),
      status: retentionShort && statusOf(expiry) === 'pass' ? 'observed' : statusOf(expiry),
      checks: ['expiry'],
    },
    item('Payload-hash policy', ['payload-mismatch'], declaredRule(of('payload-mismatch'))),
    item('Replay policy', ['sequential-replay'], declaredRule(of('sequential-replay'))),
    item('Conflict semantics', ['concurrent-duplicates'], declaredRule(of('concurrent-duplicates'))),
    item('5xx policy', ['error-replay'], declaredRule(of('error-replay'))),
    item('Tenant scoping', ['cross-tenant'], declaredRule(of('cross-tenant'))),
    item('Endpoint scoping', ['cross-endpoint'], declaredRule(of('cross-endpoint'))),
    item('Failover across instances or regions', [...FAILOVER_CHECKS], declaredRule(of(...FAILOVER_CHECKS))),
    report.observability
      ? {
          item: 'Observability coverage',
          declared: `metrics at ${report.observability.metrics}`,
          observed: coverageText(report.observability),
          status: coverageStatus(report.observability),
          checks: ['observability'],
        }
      : {
          item: 'Observability coverage',
          declared: 'not declared in the report',
          observed: obsResults.length === 0 ? 'not audited: the scenario names no metrics endpoint (observability.metrics)' : obsObserved,
          status: obsResults.length === 0 ? 'not measured' : statusOf(obsResults),
          checks: ['observability'],
        },
  ];
}

interface Verdict {
  ok: boolean;
  /** Why it holds (ok) or what is missing (not ok). */
  text: string;
}

/** Whether `check` passed on the endpoint, and a reason either way. */
function passed(rs: ResultRecord[], check: string): Verdict {
  const mine = rs.filter((r) => r.check === check);
  const failed = mine.filter((r) => r.verdict === 'fail' && r.level !== 'observation');
  if (mine.length === 0) return { ok: false, text: `${check} not run` };
  if (failed.length > 0) return { ok: false, text: `${check} failed (${failed[0]!.level}: ${failed[0]!.message})` };
  const errored = mine.find((r) => r.verdict === 'error');
  if (errored) return { ok: false, text: `${check} errored (${errored.message})` };
  if (!mine.some((r) => r.verdict === 'pass')) {
    // Inconclusive is not skipped: it saw a failure whose root cause another check reports.
    const deferred = mine.find((r) => r.verdict === 'inconclusive');
    if (deferred) return { ok: false, text: `${check} inconclusive (owned by ${ownerOf(deferred)}: ${deferred.message})` };
    return { ok: false, text: `${check} skipped (${mine[0]!.message})` };
  }
  return { ok: true, text: `${check} passed` };
}

export function maturity(report: Report, endpoint: string, rs: ResultRecord[]): Maturity {
  if (rs.length === 0 || rs.every((r) => r.check === 'load')) {
    const why = rs.length === 0 ? 'no check ran on this endpoint' : 'a load-only run measures duplicate executions under load, not the idempotency contract';
    return { level: 0, label: 'L0', reasons: [], missing: [], ungraded: `not graded: ${why}` };
  }
  const levels: Array<{ criteria: () => Verdict[]; reason: () => string }> = [];

  // L1: no violations, dedupe verified.
  levels.push({
    criteria: () => {
      const violations = rs.filter((r) => r.verdict === 'fail' && r.level === 'violation');
      const dedupe = ['concurrent-duplicates', 'sequential-replay'].map((c) => passed(rs, c));
      return [
        violations.length === 0
          ? { ok: true, text: 'no violations' }
          : { ok: false, text: `${violations.length} violation(s) (${unique(violations.map((v) => v.check)).join(', ')})` },
        dedupe.some((d) => d.ok) ? { ok: true, text: 'dedupe verified' } : { ok: false, text: `dedupe not verified (${dedupe.map((d) => d.text).join('; ')})` },
      ];
    },
    reason: () => `L1: no failed violation; dedupe verified by ${['concurrent-duplicates', 'sequential-replay'].filter((c) => passed(rs, c).ok).join(' and ')}`,
  });

  // L2: standard key policy, replays marked.
  // The sequential-replay facts carry the replay marker's value ("true" or "?1" when marked).
  const marked = (): boolean => rs.some((r) => r.check === 'sequential-replay' && (r.facts?.marker === 'true' || r.facts?.marker === '?1'));
  levels.push({
    criteria: () => {
      const replay = passed(rs, 'sequential-replay');
      return [
        passed(rs, 'missing-key'),
        passed(rs, 'payload-mismatch'),
        passed(rs, 'concurrent-duplicates'),
        !replay.ok
          ? replay
          : marked()
            ? { ok: true, text: 'replay marker' }
            : { ok: false, text: 'replays carry no replay marker, so replay hits cannot be counted from outside' },
      ];
    },
    reason: () => 'L2: missing-key, payload-mismatch and concurrent-duplicates passed; replays carry a replay marker',
  });

  // L3: scoping verified, conflicts observable.
  const conflicts = (): number => report.latency?.[endpoint]?.conflict?.count ?? 0;
  const crossEndpointRun = (): boolean => rs.some((r) => r.check === 'cross-endpoint');
  levels.push({
    criteria: () => [
      passed(rs, 'cross-tenant'),
      crossEndpointRun() ? passed(rs, 'cross-endpoint') : { ok: true, text: 'cross-endpoint not part of the run' },
      ...DOWNSTREAM_CHECKS.map((c) => passed(rs, c)),
      conflicts() > 0
        ? { ok: true, text: 'conflicts observed' }
        : { ok: false, text: 'no in-flight duplicate was answered with a conflict, so conflict semantics are unverified' },
    ],
    reason: () =>
      `L3: ${crossEndpointRun() ? 'cross-tenant and cross-endpoint passed' : 'cross-tenant passed (cross-endpoint not part of the run)'}; ${DOWNSTREAM_CHECKS.join(', ')} passed; ${conflicts()} conflict answer(s) observed`,
  });

  // L4: chaos checks rehearsed, regional failover validated.
  levels.push({
    criteria: () => [
      ...CHAOS_CHECKS.map((c) => passed(rs, c)),
      ...FAILOVER_CHECKS.map((c) => {
        const v = passed(rs, c);
        // Not run is the usual case (one base URL): say what would run it.
        return v.ok || rs.some((r) => r.check === c) ? v : { ok: false, text: `${v.text} (declare two instances or regions under targets:)` };
      }),
    ],
    reason: () => `L4: ${CHAOS_CHECKS.join(', ')} passed; failover validated (${FAILOVER_CHECKS.join(', ')} passed)`,
  });

  const reasons: string[] = [];
  let level = 0;
  for (const l of levels) {
    const unmet = l.criteria().filter((v) => !v.ok);
    if (unmet.length > 0) {
      return { level: level as Maturity['level'], label: `L${level}` as Maturity['label'], reasons, missing: unmet.map((v) => v.text) };
    }
    reasons.push(l.reason());
    level += 1;
  }
  return { level: 4, label: 'L4', reasons, missing: [] };
}

export function governance(report: Report): EndpointGovernance[] {
  return endpointNames(report).map((name) => {
    const info = endpointInfo(report, name);
    const rs = report.results.filter((r) => r.endpoint === name);
    const failed = { violation: 0, deviation: 0, observation: 0 };
    for (const r of rs) if (r.verdict === 'fail') failed[r.level] += 1;
    const risk = info?.risk ?? 'unclassified';
    return {
      name,
      ...(info ? { info } : {}),
      risk,
      riskText: RISK_TEXT[risk] ?? 'no risk class declared',
      checklist: checklist(report, info, rs),
      maturity: maturity(report, name, rs),
      failed,
    };
  });
}
