// The steps of a chaos round for the sequence diagram: attempts, faults, outages and the ledger's
// executions in time order, identical polls folded, a remote server's clock kept out, bounded.
import { describe, expect, it } from 'vitest';
import { MAX_STEPS, sequenceOf } from '../../../src/checks/chaos/sequence.js';
import { FakeHistory } from './helpers.js';

describe('sequenceOf', () => {
  it('tells a lost response: sent via the proxy, the upstream answered, the proxy dropped it, the retry got the replay', () => {
    const h = new FakeHistory();
    h.attempt('other', 1, { type: 'ok', status: 201 }); // another key: not part of this round
    const [invoke] = h.attempt(
      'k',
      1,
      { type: 'unknown', error: 'connection reset (ECONNRESET)' },
      { route: 'proxy', faults: ['drop-response-after-upstream'] },
      0,
    );
    const t0 = invoke.at;
    h.at(30, { type: 'fault', process: 'proxy', f: 'drop-response-after-upstream', key: 'k', upstreamStatuses: [201] });
    h.attempt('k', 2, { type: 'ok', status: 201, identity: 'pay_1' }, { route: 'direct' }, 5);
    h.oracle('k', 1, [{ id: 'pay_1', receivedAt: t0 + 2, executedAt: t0 + 20 }]);

    const steps = sequenceOf(h.ops, 'k');
    expect(steps.map((s) => [s.kind, s.attempt ?? s.fault ?? s.id])).toEqual([
      ['send', 1],
      ['answer', 1],
      ['execution', 'pay_1'],
      ['fault', 'drop-response-after-upstream'],
      ['send', 2],
      ['answer', 2],
    ]);
    expect(steps[0]).toMatchObject({ t: 0, route: 'proxy', faults: ['drop-response-after-upstream'] });
    expect(steps[2]).toMatchObject({ t: 20, arrivedT: 2 });
    expect(steps[3]).toMatchObject({ t: 30, upstreamStatuses: [201] });
    expect(steps[5]).toMatchObject({ outcome: 'ok', status: 201, id: 'pay_1' });
    expect(steps[4]).toMatchObject({ route: 'direct' });
    expect(steps.every((s, i) => i === 0 || s.t >= steps[i - 1]!.t)).toBe(true);
  });

  it('keeps the ledger out when its clock puts an execution outside the round', () => {
    const h = new FakeHistory();
    const [invoke] = h.attempt('k', 1, { type: 'ok', status: 201, identity: 'pay_1' });
    h.oracle('k', 2, [
      { id: 'pay_1', receivedAt: invoke.at + 1, executedAt: invoke.at + 5 },
      { id: 'pay_2', receivedAt: invoke.at + 900, executedAt: invoke.at + 1000 }, // after everything: another clock
    ]);
    const steps = sequenceOf(h.ops, 'k');
    expect(steps.filter((s) => s.kind === 'execution')).toEqual([]);
    expect(steps.map((s) => s.kind)).toEqual(['send', 'answer']);
  });

  it('shows a store outage and folds a run of identical polls into one pair with a count', () => {
    const h = new FakeHistory();
    h.at(1, { type: 'fault', process: 'nemesis', f: 'store-outage', delayMs: 1000 });
    h.attempt('k', 1, { type: 'unknown', error: 'timeout after 50 ms' }, { role: 'abandon' });
    for (let n = 2; n <= 60; n++) h.attempt('k', n, { type: 'fail', status: 409 }, { role: 'poll' });
    h.attempt('k', 61, { type: 'ok', status: 201, identity: 'pay_1' }, { role: 'poll' });
    const steps = sequenceOf(h.ops, 'k');
    expect(steps.map((s) => `${s.kind}:${s.role ?? s.fault}:${s.repeat ?? 1}`)).toEqual([
      'outage:store-outage:1',
      'send:abandon:1',
      'answer:abandon:1',
      'send:poll:59',
      'answer:poll:59',
      'send:poll:1',
      'answer:poll:1',
    ]);
    expect(steps[3]).toMatchObject({ attempt: 2, lastAttempt: 60 });
    expect(steps[4]).toMatchObject({ attempt: 2, lastAttempt: 60, status: 409 });
    expect(steps[0]).toMatchObject({ delayMs: 1000 });
  });

  it('is bounded: the first and last steps with a gap that says how many were left out', () => {
    const h = new FakeHistory();
    // Alternating answers never fold.
    for (let n = 1; n <= 50; n++) h.attempt('k', n, n % 2 ? { type: 'fail', status: 503 } : { type: 'unknown', error: 'reset' });
    const steps = sequenceOf(h.ops, 'k');
    expect(steps).toHaveLength(MAX_STEPS);
    const gap = steps.find((s) => s.kind === 'gap')!;
    expect(gap.omitted).toBe(100 - (MAX_STEPS - 1));
    expect(steps[0]).toMatchObject({ kind: 'send', attempt: 1 });
    expect(steps.at(-1)).toMatchObject({ kind: 'answer', attempt: 50 });
  });
});
