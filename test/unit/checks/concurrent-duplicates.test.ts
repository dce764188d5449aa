import { describe, expect, it } from 'vitest';
import { judgeConcurrentDuplicates, judgeUnrelatedKeys, type BurstRound } from '../../../src/checks/concurrent-duplicates.js';
import { IETF_07, STRIPE_V1 } from '../../../src/profiles/builtin.js';
import { ex } from '../../helpers/exchange.js';

const round = (statuses: number[], executions: number | null): BurstRound => ({
  key: 'k',
  exchanges: statuses.map((status, i) => ex({ status, body: status < 300 ? { id: `pay_${i}` } : { title: 'conflict' } })),
  count: { executions, by: executions === null ? {} : { ledger: executions }, ids: [] },
});

describe('judgeConcurrentDuplicates', () => {
  it('passes one execution with 409 for the rest', () => {
    const [f, ...rest] = judgeConcurrentDuplicates([round([201, 409, 409, 409], 1)], IETF_07);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ verdict: 'pass', level: 'violation' });
    expect(f!.message).toContain('no duplicate execution in 1 bursts of 4 copies (at most 1 execution per key');
  });

  it('flags more than one execution as a violation, citing the execution rule', () => {
    const findings = judgeConcurrentDuplicates([round([201, 409], 1), round([201, 201, 201, 409], 3)], IETF_07);
    expect(findings[0]).toMatchObject({ verdict: 'fail', level: 'violation' });
    expect(findings[0]!.message).toContain('executed 3 times');
    expect(findings[0]!.reference).toContain('§2.6');
    expect(findings[0]!.exchanges).toHaveLength(4);
    expect(findings[0]!.concurrent).toBe(true);
    expect(findings[0]!.facts).toMatchObject({
      sweep: [
        { copies: 2, rounds: 1, executions: { 1: 1 } },
        { copies: 4, rounds: 1, executions: { 3: 1 } },
      ],
    });
    expect(findings[0]!.message).toContain('1 of 2 bursts');
  });

  it('treats a 5xx for a duplicate as a violation', () => {
    const findings = judgeConcurrentDuplicates([round([201, 500, 409], 1)], IETF_07);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ verdict: 'fail', level: 'violation' });
    expect(findings[0]!.message).toContain('5xx');
  });

  it('grades a non-409 conflict status as a deviation under the profile', () => {
    const findings = judgeConcurrentDuplicates([round([201, 429, 429], 1)], IETF_07);
    expect(findings).toEqual([expect.objectContaining({ verdict: 'fail', level: 'deviation' })]);
    expect(findings[0]!.message).toContain('expects 409');
  });

  it('reports an error when no copy succeeded', () => {
    const findings = judgeConcurrentDuplicates([round([400, 400], 0)], STRIPE_V1);
    expect(findings.at(-1)).toMatchObject({ verdict: 'error' });
    expect(findings.at(-1)!.message).toContain('400×2');
  });

  it('reports the arrival spread the server saw and the distribution per burst size', () => {
    const a = round([201, 409, 409], 1);
    a.count.arrivals = [1000.1, 1000.25, 1000.4];
    const b = round([201, 409, 409], 1);
    b.count.arrivals = [2000, 2000.05, 2000.1];
    const [f] = judgeConcurrentDuplicates([a, b], IETF_07);
    expect(f).toMatchObject({ verdict: 'pass' });
    expect(f!.message).toContain('arrivals within 0.300 ms');
    expect(f!.facts).toMatchObject({ sweep: [{ copies: 3, rounds: 2, executions: { 1: 2 }, maxArrivalSpreadMs: 0.3 }] });
  });

  it("puts the server-reported arrivals and executions of the shown burst on the client's time axis", () => {
    const r = round([201, 201, 409], 2);
    r.exchanges.forEach((e, i) => Object.assign(e, { startedAt: 100, durationMs: 4 + i }));
    r.releasedAt = 5000; // epoch ms of run-clock 100
    r.count.arrivals = [5000.9, 5000.3, 5000.5];
    r.count.timeline = [
      { receivedAt: 5000.3, executedAt: 5002.1 },
      { receivedAt: 5000.5, executedAt: 5002.4 },
    ];
    const [f] = judgeConcurrentDuplicates([r], IETF_07);
    expect(f).toMatchObject({ verdict: 'fail' });
    expect(f!.facts).toMatchObject({
      arrivalsMs: [0.3, 0.5, 0.9],
      executionsMs: [
        [0.3, 2.1],
        [0.5, 2.4],
      ],
    });
    expect(f!.facts).not.toHaveProperty('arrivalsUnaligned');
  });

  it('does not place arrivals from another clock: an arrival after every answer is said, not drawn', () => {
    const r = round([201, 201], 2);
    r.exchanges.forEach((e) => Object.assign(e, { startedAt: 100, durationMs: 4 }));
    r.releasedAt = 5000;
    r.count.arrivals = [5040, 5040.2]; // 40 ms after the burst ended: the server's clock runs ahead
    const [f] = judgeConcurrentDuplicates([r], IETF_07);
    expect(f!.facts).not.toHaveProperty('arrivalsMs');
    expect(String(f!.facts!.arrivalsUnaligned)).toContain('another clock');
    // Without a release time (an HttpPort that cannot tell), nothing is placed either.
    delete r.releasedAt;
    expect(judgeConcurrentDuplicates([r], IETF_07)[0]!.facts).not.toHaveProperty('arrivalsMs');
  });

  it('cannot pass without an oracle', () => {
    const findings = judgeConcurrentDuplicates([round([201, 409], null)], IETF_07);
    expect(findings).toEqual([expect.objectContaining({ verdict: 'skip' })]);
  });
});

describe('inParallel', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    const { inParallel } = await import('../../../src/checks/send.js');
    let running = 0;
    let peak = 0;
    const tasks = Array.from({ length: 20 }, (_, i) => async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running -= 1;
      return i;
    });
    expect(await inParallel(tasks, 3)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
  });
});

describe('judgeConcurrentDuplicates without an oracle', () => {
  it('fails copies that succeeded with different bodies, and reports a failed probe as an error', () => {
    const divergent: BurstRound = {
      key: 'k',
      exchanges: [ex({ status: 201, body: { n: 1 } }), ex({ status: 201, body: { n: 2 } })],
      count: { executions: null, by: {}, ids: [] },
    };
    expect(judgeConcurrentDuplicates([divergent], IETF_07)).toEqual([expect.objectContaining({ verdict: 'fail', level: 'violation', concurrent: true })]);
    const probeFailed: BurstRound = {
      key: 'k',
      exchanges: [ex({ status: 201, body: { n: 1 } }), ex({ status: 409 })],
      count: { executions: null, by: {}, ids: [], probeError: '500' },
    };
    expect(judgeConcurrentDuplicates([probeFailed], IETF_07)).toEqual([
      expect.objectContaining({ verdict: 'error', message: expect.stringContaining('probe failed (500)') }),
    ]);
  });
});

describe('distinct fresh keys released together (a lock shared by all keys)', () => {
  const round = (): BurstRound => ({
    key: 'k',
    exchanges: [ex({ status: 201, body: { id: 'pay_1' } }), ex({ status: 409 }), ex({ status: 409 })],
    count: { executions: 1, by: { ledger: 1 }, ids: ['pay_1'] },
  });

  it('every one ran: nothing to report, and the pass says the same as without them', () => {
    expect(judgeUnrelatedKeys([ex({ status: 201 }), ex({ status: 201 })], IETF_07)).toBeUndefined();
    const [pass] = judgeConcurrentDuplicates([round()], IETF_07, undefined, [ex({ status: 201 }), ex({ status: 201 })]);
    expect(pass).toMatchObject({ verdict: 'pass', facts: { unrelatedKeys: '201×2' } });
  });

  it('refused 423 or 409 is a deviation naming the shared lock, reported once (no "in-flight answered 423" besides)', () => {
    const locked = round();
    locked.exchanges = [ex({ status: 201, body: { id: 'pay_1' } }), ex({ status: 423 })];
    const findings = judgeConcurrentDuplicates([locked], IETF_07, undefined, [ex({ status: 201 }), ex({ status: 423 }), ex({ status: 409 })]);
    expect(findings.map((f) => [f.verdict, f.level])).toEqual([['fail', 'deviation']]);
    expect(findings[0]!.message).toMatch(/^2 of 3 requests with distinct fresh keys, sent together, were refused .*one lock for all keys/);
  });
});
