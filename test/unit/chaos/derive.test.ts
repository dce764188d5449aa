// Executions per key from a history, and the minimal counterexample that proves a double execution.
import { describe, expect, it } from 'vitest';
import { counterexampleSeqs, deriveExecutions, minimalCounterexample } from '../../../src/checks/chaos/derive.js';
import { FakeHistory } from './helpers.js';

describe('deriveExecutions', () => {
  it('counts attempts by outcome and takes the largest of identities and oracle counts', () => {
    const h = new FakeHistory();
    h.attempt('k1', 1, { type: 'unknown', error: 'timeout after 50 ms' });
    h.attempt('k1', 2, { type: 'fail', status: 409 });
    h.attempt('k1', 3, { type: 'ok', status: 201, identity: 'pay_1' });
    h.attempt('k1', 4, { type: 'ok', status: 201, identity: 'pay_1' }, { role: 'verify' });
    h.oracle('k1', 1, [{ id: 'pay_1' }], { ledger: 1, identity: 1 });
    h.attempt('k2', 1, { type: 'ok', status: 201, identity: 'pay_2' });
    h.attempt('k2', 2, { type: 'ok', status: 201, identity: 'pay_3' });

    const by = deriveExecutions(h.ops);
    expect(by.get('k1')).toMatchObject({ invoked: 4, ok: 2, fail: 1, unknown: 1, identities: ['pay_1'], executions: 1 });
    // No oracle read for k2, but two identities are two executions.
    expect(by.get('k2')).toMatchObject({ invoked: 2, ok: 2, identities: ['pay_2', 'pay_3'], executions: 2 });
  });

  it('lets the ledger count executions the clients never saw', () => {
    const h = new FakeHistory();
    h.attempt('k', 1, { type: 'ok', status: 201, identity: 'pay_1' });
    h.oracle('k', 1, [{ id: 'pay_1' }, { id: 'pay_2' }]);
    expect(deriveExecutions(h.ops).get('k')!.executions).toBe(2);
  });

  it('is null when nothing can tell', () => {
    const h = new FakeHistory();
    h.attempt('k', 1, { type: 'unknown', error: 'reset' });
    expect(deriveExecutions(h.ops).get('k')!.executions).toBeNull();
  });

  it('ignores proxy events and keyless operations', () => {
    const h = new FakeHistory();
    h.fault('k', 'drop-response-after-upstream', [201]);
    h.at(1, { type: 'fault', process: 'nemesis', f: 'store-outage' });
    // Only attempts and oracle reads make a key known.
    expect(deriveExecutions(h.ops).has('k')).toBe(false);
  });
});

describe('minimalCounterexample', () => {
  it('picks the two invokes (and completions) whose answers carry different identities, nothing else', () => {
    const h = new FakeHistory();
    h.attempt('k', 1, { type: 'unknown', error: 'timeout after 50 ms' }, { route: 'proxy', faults: ['latency'] });
    const [inv2, ok2] = h.attempt('k', 2, { type: 'ok', status: 201, identity: 'pay_a', seq: 12 });
    const [inv3, ok3] = h.attempt('k', 3, { type: 'ok', status: 201, identity: 'pay_b', seq: 13 }, { role: 'verify' });
    h.oracle('k', 2, [{ id: 'pay_a' }, { id: 'pay_b' }]);

    const c = minimalCounterexample(h.ops, 'k')!;
    expect(c.reason).toBe('distinct-identities');
    expect(c.executions).toBe(2);
    expect(c.ops.map((op) => op.index)).toEqual([inv2.index, ok2.index, inv3.index, ok3.index]);
    expect(c.summary).toContain('attempt 2 and the repeat after the final answer');
    expect(c.summary).toContain('pay_a and pay_b');
    expect(counterexampleSeqs(c)).toEqual([12, 13]);
  });

  it('one invoke and two ledger executions: a duplicating gateway, with the fault event as part of the proof', () => {
    const h = new FakeHistory();
    const [invoke, ok] = h.attempt('k', 1, { type: 'ok', status: 201, identity: 'pay_a', seq: 7 }, { route: 'proxy', faults: ['duplicate-upstream'] }, 50);
    const fault = h.fault('k', 'duplicate-upstream', [201, 201]);
    h.attempt('k', 2, { type: 'ok', status: 201, identity: 'pay_a' }, { role: 'verify' });
    // Both copies arrived upstream shortly after the one invoke, long before the repeat.
    const oracle = h.oracle('k', 3, [
      { id: 'pay_a', receivedAt: invoke.at + 2 },
      { id: 'pay_b', receivedAt: invoke.at + 3 },
      { id: 'pay_c', receivedAt: invoke.at + 4 },
    ]);

    const c = minimalCounterexample(h.ops, 'k')!;
    expect(c.reason).toBe('ledger');
    expect(c.executions).toBe(3);
    expect(c.ops.map((op) => op.index)).toEqual([invoke.index, ok.index, fault.index, oracle.index]);
    // Only the first two ledger entries are kept: two executions are enough to prove it.
    expect(c.ops.at(-1)!.value!.ledger!.map((e) => e.id)).toEqual(['pay_a', 'pay_b']);
    expect(c.summary).toBe('one attempt (attempt 1 via proxy (duplicate-upstream)) with key k; the ledger recorded 3 executions (pay_a, pay_b, ...)');
  });

  it('maps each ledger execution to the latest attempt invoked before it arrived, skipping refusals', () => {
    const h = new FakeHistory();
    const [inv1, un1] = h.attempt('k', 1, { type: 'unknown', error: 'timeout after 50 ms' });
    const firstArrival = h.now;
    h.attempt('k', 2, { type: 'fail', status: 409 });
    const [inv3, ok3] = h.attempt('k', 3, { type: 'ok', status: 201 });
    const secondArrival = h.now;
    h.oracle('k', 2, [
      { id: 'x', receivedAt: firstArrival },
      { id: 'y', receivedAt: secondArrival },
    ]);

    const c = minimalCounterexample(h.ops, 'k')!;
    expect(c.reason).toBe('ledger');
    const attempts = c.ops.filter((op) => op.process !== 'oracle').map((op) => op.index);
    expect(attempts).toEqual([inv1.index, un1.index, inv3.index, ok3.index]);
  });

  it('falls back to the oracle count with as many attempts as could have executed', () => {
    const h = new FakeHistory();
    const [a1, d1] = h.attempt('k', 1, { type: 'unknown', error: 'reset' });
    h.attempt('k', 2, { type: 'fail', status: 409 });
    const [a3, d3] = h.attempt('k', 3, { type: 'ok', status: 201 });
    h.attempt('k', 4, { type: 'ok', status: 201 }, { role: 'verify' });
    const oracle = h.oracle('k', 2, undefined, { probe: 2 });

    const c = minimalCounterexample(h.ops, 'k')!;
    expect(c.reason).toBe('oracle-count');
    expect(c.ops.map((op) => op.index)).toEqual([a1.index, d1.index, a3.index, d3.index, oracle.index]);
    expect(c.summary).toContain('probe 2');
  });

  it('is undefined when the key executed at most once', () => {
    const h = new FakeHistory();
    h.attempt('k', 1, { type: 'unknown', error: 'reset' });
    h.attempt('k', 2, { type: 'ok', status: 201, identity: 'pay_1' });
    h.attempt('k', 3, { type: 'ok', status: 201, identity: 'pay_1' }, { role: 'verify' });
    h.oracle('k', 1, [{ id: 'pay_1' }]);
    expect(minimalCounterexample(h.ops, 'k')).toBeUndefined();
    expect(minimalCounterexample(h.ops, 'other')).toBeUndefined();
  });
});
