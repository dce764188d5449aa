// Pure verdicts of in-flight-recovery and store-outage, from fabricated exchanges.
import { describe, expect, it } from 'vitest';
import { judgeInFlightRecovery, recoveryFigures, resolveLease, type RecoveryObservation } from '../../../src/checks/in-flight-recovery.js';
import { judgeStoreOutage, type OutageObservation, type OutageProbe } from '../../../src/checks/store-outage.js';
import type { Exchange } from '../../../src/core/exchange.js';
import { getProfile } from '../../../src/profiles/index.js';
import { ex, type FakeExchange } from '../../helpers/exchange.js';
import { FakeHistory } from './helpers.js';

const profile = getProfile('ietf-07');

function at(start: number, ms: number, f: FakeExchange): Exchange {
  return { ...ex({ key: 'k', ...f }), startedAt: start, durationMs: ms };
}

describe('resolveLease', () => {
  it('prefers the check option, then the endpoint policy, the self settings, what the target reports, then 30 s', () => {
    expect(resolveLease({ option: 1, policy: 2, self: 3, reported: 4 })).toEqual({ leaseMs: 1, source: 'check option leaseMs' });
    expect(resolveLease({ policy: 2, self: 3, reported: 4 })).toEqual({ leaseMs: 2, source: 'endpoint policy.lease' });
    expect(resolveLease({ self: 3, reported: 4 })).toEqual({ leaseMs: 3, source: 'scenario self.leaseMs' });
    expect(resolveLease({ reported: 4 })).toEqual({ leaseMs: 4, source: 'lease reported by the target' });
    // A target reporting 0 ("claims never expire") declares nothing.
    expect(resolveLease({ reported: 0 })).toEqual({ leaseMs: 30_000, source: 'default' });
  });
});

function recovery(polls: Exchange[], over: Partial<RecoveryObservation> = {}): RecoveryObservation {
  return {
    key: 'k',
    leaseMs: 1000,
    leaseSource: 'scenario self.leaseMs',
    marginMs: 1000,
    pollMs: 100,
    abandonAfterMs: 50,
    original: at(0, 50, { error: 'timeout after 50 ms' }),
    polls,
    stoppedBy: polls.some((p) => p.response && p.response.status < 300) ? 'recovered' : 'deadline',
    count: { executions: 1, by: { ledger: 1 }, ids: [] },
    ops: [],
    ...over,
  };
}

const conflicts = (from: number, n: number): Exchange[] => Array.from({ length: n }, (_, i) => at(from + i * 100, 2, { status: 409, body: {} }));

describe('judgeInFlightRecovery', () => {
  it('409 until the lease, then the result: a pass with how long 409 persisted', () => {
    const ok = at(1060, 101, { status: 201, body: { id: 'pay_1' } });
    const verify = at(1170, 1, { status: 201, body: { id: 'pay_1' } });
    const obs = recovery([...conflicts(60, 10), ok], { verify });
    const [f] = judgeInFlightRecovery(obs, profile);
    expect(f).toMatchObject({ verdict: 'pass', level: 'violation' });
    expect(f!.message).toContain('409 persisted 912 ms (10 polls), then the key answered 201 1161 ms after the original started');
    expect(recoveryFigures(obs, profile)).toMatchObject({ conflicts: 10, conflictPersistedMs: 912, recoveryMs: 1161, polls: 11, stoppedBy: 'recovered' });
    expect(f!.exchanges[0]).toBe(obs.original);
    expect(f!.facts).toMatchObject({ attemptsUntilSuccess: 12, retrySuccess: true, finalEqualsCommitted: true, timeToConsistentMs: 1161 });
  });

  it('409 past the lease and its margin: the claim never expired (orphaned lock)', () => {
    const [f] = judgeInFlightRecovery(recovery(conflicts(60, 20), { count: { executions: 0, by: { ledger: 0 }, ids: [] } }), profile);
    expect(f).toMatchObject({ verdict: 'fail', level: 'violation' });
    expect(f!.facts).toMatchObject({ retrySuccess: false, finalEqualsCommitted: false, timeToConsistentMs: null });
    expect(f!.message).toContain('claim never expired: 409 persisted 1912 ms (20 polls), beyond the lease of 1000 ms (scenario self.leaseMs) plus 1000 ms');
  });

  it('a retry answered with a refusal other than 409 is a deviation', () => {
    const [f] = judgeInFlightRecovery(recovery([at(60, 2, { status: 422, body: {} })], { stoppedBy: 'rejected' }), profile);
    expect(f).toMatchObject({ verdict: 'fail', level: 'deviation', message: expect.stringContaining('answered 422') });
  });

  it('two executions after the abandonment are a violation with the counterexample', () => {
    const h = new FakeHistory();
    const first = at(60, 1000, { status: 201, body: { id: 'pay_1' } });
    const verify = at(1070, 100, { status: 201, body: { id: 'pay_2' } });
    h.attempt('k', 2, { type: 'ok', status: 201, identity: 'pay_1', seq: first.seq }, { role: 'poll' });
    h.attempt('k', 3, { type: 'ok', status: 201, identity: 'pay_2', seq: verify.seq }, { role: 'verify' });
    const findings = judgeInFlightRecovery(recovery([first], { verify, ops: h.ops, count: { executions: 2, by: { ledger: 2 }, ids: [] } }), profile);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      verdict: 'fail',
      level: 'violation',
      message: expect.stringContaining('executed 2 times (poll 2 and the repeat after the final answer'),
    });
    expect(findings[0]!.exchanges).toEqual([first, verify]);
    expect(findings[0]!.facts!.counterexample).toMatchObject({ reason: 'distinct-identities' });
  });

  it('a repeat after recovery with another body is a violation', () => {
    const ok = at(1060, 101, { status: 201, body: { id: 'pay_1', created: 'a' } });
    const verify = at(1170, 1, { status: 201, body: { id: 'pay_1', created: 'b' } });
    const [f] = judgeInFlightRecovery(recovery([...conflicts(60, 3), ok], { verify }), profile);
    expect(f).toMatchObject({ verdict: 'fail', level: 'violation', message: expect.stringContaining('the same status 201 with a different body') });
  });
});

function probe(kind: 'fresh' | 'committed', during: Exchange, over: Partial<OutageProbe> = {}): OutageProbe {
  const ok = at(2000, 100, { status: 201, body: { id: `pay_${kind}` } });
  return {
    kind,
    key: `k-${kind}`,
    during,
    executionsBefore: kind === 'fresh' ? 0 : 1,
    executionsDuring: kind === 'fresh' ? 0 : 1,
    after: [ok],
    stoppedBy: 'ok',
    executionsAfter: 1,
    ...over,
  };
}

function outage(probes: OutageProbe[], risk: OutageObservation['risk'] = 'critical'): OutageObservation {
  return { outageMs: 1000, via: 'reference switch', risk, probes, committedBy: at(0, 100, { status: 201, body: { id: 'pay_c' } }), ops: [] };
}

const unavailable = (): Exchange => at(500, 1, { status: 503, body: { title: 'Idempotency store unavailable' } });

describe('judgeStoreOutage', () => {
  it('fail closed: 503 during the outage, one execution afterwards', () => {
    const [f] = judgeStoreOutage(outage([probe('fresh', unavailable()), probe('committed', unavailable())]), profile);
    expect(f).toMatchObject({
      verdict: 'pass',
      level: 'violation',
      message: expect.stringContaining('mutations were refused (503, 503) and nothing executed'),
    });
    expect(f!.facts).toMatchObject({ failClosed: true, risk: 'critical' });
    expect((f!.facts!.after as unknown[])[0]).toMatchObject({
      kind: 'fresh',
      retrySuccess: true,
      attemptsUntilSuccess: 2,
      timeToConsistentMs: 1600,
      executions: 1,
    });
  });

  it('a mutation executed during the outage fails open: a violation on a critical endpoint, a deviation otherwise', () => {
    const executed = probe('fresh', at(500, 100, { status: 201, body: { id: 'pay_x' } }), { executionsDuring: 1 });
    const critical = judgeStoreOutage(outage([executed, probe('committed', unavailable())]), profile);
    expect(critical[0]).toMatchObject({
      verdict: 'fail',
      level: 'violation',
      message: expect.stringContaining('executed during the store outage (201): the endpoint fails open on a critical write'),
    });
    const medium = judgeStoreOutage(outage([executed, probe('committed', unavailable())], 'medium'), profile);
    expect(medium[0]).toMatchObject({ verdict: 'fail', level: 'deviation', message: expect.stringContaining('(risk medium)') });
    expect(medium[0]!.facts).toMatchObject({ failClosed: false });
  });

  it('an execution seen only by the oracle counts as executed too (the answer was lost)', () => {
    const silent = probe('committed', at(500, 100, { error: 'connection reset' }), { executionsDuring: 2, executionsAfter: 2 });
    const findings = judgeStoreOutage(outage([probe('fresh', unavailable()), silent]), profile);
    expect(findings.map((f) => f.level)).toEqual(['violation', 'violation']);
    expect(findings[0]!.message).toMatch(/^a retry of a key committed before the outage executed during the store outage \(connection reset\)/);
    expect(findings[1]!.message).toMatch(/^a retry of a key committed before the outage: the key executed 2 times across the outage/);
  });

  it('a refusal that is not a 5xx is a deviation; no success afterwards is a deviation', () => {
    const findings = judgeStoreOutage(
      outage([
        probe('fresh', at(500, 1, { status: 409, body: {} }), {
          after: [at(2000, 1, { status: 503, body: {} })],
          stoppedBy: 'max-attempts',
          executionsAfter: 0,
        }),
        probe('committed', unavailable()),
      ]),
      profile,
    );
    expect(findings.map((f) => [f.verdict, f.level])).toEqual([
      ['fail', 'deviation'],
      ['fail', 'deviation'],
    ]);
    expect(findings[0]!.message).toContain('answered 409 during the store outage instead of a 5xx');
    expect(findings[1]!.message).toContain('after the outage the retry did not succeed (503×1, stopped by max-attempts)');
  });
});
