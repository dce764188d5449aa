// Maturity levels and the governance checklist, derived deterministically from results.
import { describe, expect, it } from 'vitest';
import { DOWNSTREAM_CHECKS, governance, maturity, statusOf } from '../../../src/report/governance.js';
import type { Report, ResultRecord } from '../../../src/report/model.js';
import { fixture } from './helpers.js';

const res = (
  check: string,
  verdict: ResultRecord['verdict'],
  level: ResultRecord['level'] = 'violation',
  facts?: Record<string, unknown>,
  message = `${check} ${verdict}`,
): ResultRecord => ({
  check,
  endpoint: 'e',
  verdict,
  level,
  message,
  reference: `rule of ${check}`,
  evidence: [],
  ...(facts ? { facts } : {}),
});

const L2 = (): ResultRecord[] => [
  res('concurrent-duplicates', 'pass'),
  res('sequential-replay', 'pass', 'violation', { marker: 'true' }),
  res('payload-mismatch', 'pass'),
  res('missing-key', 'pass', 'deviation'),
];

function reportWith(results: ResultRecord[], conflicts = 5): Report {
  const r = fixture('passing');
  r.endpoints = [{ name: 'e', method: 'POST', path: '/e', risk: 'critical', keyRequired: 'mandatory' }];
  r.results = results;
  r.latency = {
    e: {
      first: { count: 3, p50: 1, p90: 1, p99: 1, p999: 1, max: 1 },
      ...(conflicts ? { conflict: { count: conflicts, p50: 1, p90: 1, p99: 1, p999: 1, max: 1 } } : {}),
    },
  };
  return r;
}

const level = (results: ResultRecord[], conflicts = 5): number => maturity(reportWith(results, conflicts), 'e', results).level;

describe('maturity', () => {
  it('L0 with a violation or without verified dedupe', () => {
    expect(level([...L2(), res('cross-tenant', 'fail', 'violation')])).toBe(0);
    expect(level([res('missing-key', 'pass')])).toBe(0);
    const m = maturity(reportWith([res('concurrent-duplicates', 'skip')]), 'e', [res('concurrent-duplicates', 'skip')]);
    expect(m.missing).toEqual(['dedupe not verified (concurrent-duplicates skipped (concurrent-duplicates skip); sequential-replay not run)']);
  });

  it('L1 when dedupe works but the key policy deviates', () => {
    const rs = [...L2().filter((r) => r.check !== 'payload-mismatch'), res('payload-mismatch', 'fail', 'deviation')];
    const m = maturity(reportWith(rs), 'e', rs);
    expect(m.label).toBe('L1');
    expect(m.missing).toEqual(['payload-mismatch failed (deviation: payload-mismatch fail)']);
  });

  it('L2 needs a replay marker', () => {
    const noMarker = L2().map((r) => (r.check === 'sequential-replay' ? { ...r, facts: { marker: null } } : r));
    expect(level(noMarker)).toBe(1);
    expect(level(L2())).toBe(2);
  });

  const downstream = () => DOWNSTREAM_CHECKS.map((c) => res(c, 'pass'));

  it('L3 needs cross-tenant, cross-endpoint when it ran, the downstream checks, and observed conflicts', () => {
    expect(level([...L2(), res('cross-tenant', 'pass'), ...downstream()])).toBe(3);
    expect(level([...L2(), res('cross-tenant', 'pass'), ...downstream()], 0)).toBe(2);
    expect(level([...L2(), res('cross-tenant', 'pass'), res('cross-endpoint', 'fail', 'deviation'), ...downstream()])).toBe(2);
    expect(level([...L2(), res('cross-tenant', 'error', 'deviation'), ...downstream()])).toBe(2);
  });

  it('L3 names each downstream check that was not run, skipped or failed', () => {
    const rs = [...L2(), res('cross-tenant', 'pass'), res('downstream-propagation', 'pass'), res('downstream-dedupe', 'skip', 'observation')];
    const m = maturity(reportWith(rs), 'e', rs);
    expect(m.label).toBe('L2');
    expect(m.missing).toEqual(['downstream-dedupe skipped (downstream-dedupe skip)', 'downstream-failure not run']);
    const failed = [...L2(), res('cross-tenant', 'pass'), ...downstream().slice(0, 2), res('downstream-failure', 'fail', 'deviation')];
    expect(maturity(reportWith(failed), 'e', failed).missing).toEqual(['downstream-failure failed (deviation: downstream-failure fail)']);
  });

  it('L4 only once the chaos and failover checks ran and passed', () => {
    const L3 = [...L2(), res('cross-tenant', 'pass'), res('cross-endpoint', 'pass'), ...downstream()];
    const chaos = [res('timeout-retry', 'pass'), res('lost-response', 'pass'), res('in-flight-recovery', 'pass')];
    const failover = [res('cross-instance-duplicates', 'pass'), res('failover-replay', 'pass')];
    expect(level([...L3, res('timeout-retry', 'pass'), res('lost-response', 'pass'), ...failover])).toBe(3);
    const rs = [...L3, ...chaos, ...failover];
    const m = maturity(reportWith(rs), 'e', rs);
    expect(m).toMatchObject({ level: 4, label: 'L4', missing: [] });
    expect(m.reasons).toHaveLength(4);
    expect(m.reasons[3]).toContain('failover validated (cross-instance-duplicates, failover-replay passed)');
  });

  it('L4 names the failover checks that did not run, were skipped or failed', () => {
    const L3 = [...L2(), res('cross-tenant', 'pass'), res('cross-endpoint', 'pass'), ...downstream()];
    const chaos = [res('timeout-retry', 'pass'), res('lost-response', 'pass'), res('in-flight-recovery', 'pass')];
    const notRun = maturity(reportWith([...L3, ...chaos]), 'e', [...L3, ...chaos]);
    expect(notRun.label).toBe('L3');
    expect(notRun.missing).toEqual([
      'cross-instance-duplicates not run (declare two instances or regions under targets:)',
      'failover-replay not run (declare two instances or regions under targets:)',
    ]);
    const mixed = [
      ...L3,
      ...chaos,
      res('cross-instance-duplicates', 'skip', 'observation', undefined, 'not run: only one target declared (eu)'),
      res('failover-replay', 'fail', 'violation', undefined, 'a retry through us executed again'),
    ];
    const m = maturity(reportWith(mixed), 'e', mixed);
    // A failed failover check is a violation: the endpoint falls to L0 like any other violation.
    expect(m.label).toBe('L0');
    const skippedOnly = [...L3, ...chaos, mixed.at(-2)!, res('failover-replay', 'pass')];
    expect(maturity(reportWith(skippedOnly), 'e', skippedOnly).missing).toEqual(['cross-instance-duplicates skipped (not run: only one target declared (eu))']);

    // Inconclusive is not "skipped": it names the check that owns what it saw.
    const deferred = res(
      'cross-instance-duplicates',
      'inconclusive',
      'violation',
      { inconclusive: { owner: 'failover-replay' } },
      'not judged (root cause owned by failover-replay)',
    );
    const owned = [...L3, ...chaos, deferred, res('failover-replay', 'pass')];
    expect(maturity(reportWith(owned), 'e', owned).missing).toEqual([
      'cross-instance-duplicates inconclusive (owned by failover-replay: not judged (root cause owned by failover-replay))',
    ]);
  });

  it('grades the fixtures', () => {
    // The passing fixture declares no downstream dependency: L3 needs the downstream checks.
    expect(governance(fixture('passing')).map((g) => g.maturity.label)).toEqual(['L2', 'L1']);
    expect(governance(fixture('failing')).map((g) => g.maturity.label)).toEqual(['L0', 'L1']);
  });
});

describe('governance checklist', () => {
  it('fills retention from expiry facts and says "not measured" otherwise', () => {
    const without = governance(reportWith(L2()))[0]!.checklist.find((c) => c.item === 'Retention window')!;
    expect(without).toMatchObject({ observed: 'not audited: expiry was not part of this run', status: 'not measured' });
    // The case: one retry at +1.2 s says nothing about a declared 24 h.
    const rs = [
      ...L2(),
      res('expiry', 'pass', 'deviation', { declaredRetentionMs: 86_400_000, waitMs: 1200, before: 'replay', observedRetention: '>= 1.2 s' }),
    ];
    const item = governance(reportWith(rs))[0]!.checklist.find((c) => c.item === 'Retention window')!;
    expect(item).toMatchObject({ declared: '1 d', observed: 'replayed at +1.2 s; the declared 1 d was not exercised', status: 'observed' });
    // A wait that covers the (test) retention and an expiry past it is a measured pass.
    const full = [...L2(), res('expiry', 'pass', 'deviation', { declaredRetentionMs: 2000, waitMs: 2000, before: 'replay', after: 'executed' })];
    const covered = governance(reportWith(full))[0]!.checklist.find((c) => c.item === 'Retention window')!;
    expect(covered).toMatchObject({ observed: 'replayed at +2 s; past the test retention: executed', status: 'pass' });
  });

  it('does not grade maturity from a load-only run', () => {
    const g = governance(reportWith([res('load', 'pass', 'violation')]))[0]!;
    expect(g.maturity.ungraded).toMatch(/^not graded: a load-only run/);
    expect(g.checklist.find((c) => c.item === 'Key required')!.observed).toBe('not audited: missing-key was not part of this run (a load-only run)');
  });

  it('reports observability only when a result says something about it', () => {
    const none = governance(reportWith(L2()))[0]!.checklist.find((c) => c.item === 'Observability coverage')!;
    expect(none.observed).toBe('not audited: the scenario names no metrics endpoint (observability.metrics)');
    const rs = [...L2(), res('load', 'pass', 'violation', { observability: 'replay hit rate and 409 rate exported' })];
    expect(governance(reportWith(rs))[0]!.checklist.find((c) => c.item === 'Observability coverage')!.observed).toBe('replay hit rate and 409 rate exported');
  });

  it('key required: declared from the endpoint, observed from missing-key', () => {
    const g = governance(fixture('failing'))[0]!;
    expect(g.checklist[0]).toMatchObject({
      item: 'Key required',
      declared: 'yes (mandatory for this endpoint)',
      observed: 'a request without a key was executed (201)',
      status: 'violation',
    });
    expect(g.riskText).toContain('financial transactions');
  });

  it('combines statuses by severity', () => {
    expect(statusOf([])).toBe('not measured');
    expect(statusOf([res('a', 'pass'), res('a', 'fail', 'deviation')])).toBe('deviation');
    expect(statusOf([res('a', 'skip')])).toBe('skipped');
    expect(statusOf([res('a', 'pass', 'observation')])).toBe('observed');
    expect(statusOf([res('a', 'pass'), res('a', 'pass', 'observation')])).toBe('pass');
  });

  it('tolerates results for endpoints the report does not declare', () => {
    const r = fixture('failing');
    r.endpoints = [];
    const g = governance(r);
    expect(g.map((x) => [x.name, x.risk])).toEqual([
      ['create-payment', 'unclassified'],
      ['create-refund', 'unclassified'],
    ]);
  });
});
