// Root-cause attribution (issue 12): the baseline's verdict on replay and single execution, and what
// it does to findings that presume them; oracle failures that must never pass.
import { describe, expect, it } from 'vitest';
import { assessBaseline, assessReuse, attribute, needsBaseline } from '../../../src/checks/baseline.js';
import { finding, presumes } from '../../../src/checks/api.js';
import { gateOnOracle } from '../../../src/checks/oracle-verdict.js';
import { judgePayloadMismatch } from '../../../src/checks/payload-mismatch.js';
import { IETF_07 } from '../../../src/profiles/builtin.js';
import { escapePointerToken, renderPointer } from '../../../src/scenario/template.js';
import type { Endpoint } from '../../../src/scenario/schema.js';
import { ex, replayHeaders } from '../../helpers/exchange.js';

const endpoint = { name: 'create-payment', identity: '/id' } as unknown as Endpoint;
const count = (executions: number | null) => ({ executions, by: executions === null ? {} : { ledger: executions }, ids: [] });
const created = () => ex({ status: 201, body: { id: 'pay_1', created: 't1' } });

describe('assessBaseline', () => {
  it('a byte-identical replay with one execution proves every property', () => {
    const b = assessBaseline(created(), ex({ status: 201, body: { id: 'pay_1', created: 't1' }, headers: replayHeaders }), count(1), endpoint);
    expect(b.holds).toEqual({ replay: true, 'replay-bytes': true, 'single-execution': true });
  });

  it('a retry answered 409 disproves replay, with what was observed', () => {
    const b = assessBaseline(created(), ex({ status: 409 }), count(1), endpoint);
    expect(b.holds).toMatchObject({ replay: false, 'replay-bytes': false, 'single-execution': true });
    expect(b.observed.replay).toBe('answered 409 where the original answered 201');
  });

  it('the same resource re-rendered keeps replay but disproves replay-bytes', () => {
    const b = assessBaseline(created(), ex({ status: 201, body: { id: 'pay_1', created: 't2' } }), count(1), endpoint);
    expect(b).toMatchObject({ sameResource: true, holds: { replay: true, 'replay-bytes': false } });
  });

  it('another resource on retry disproves replay and single execution', () => {
    const b = assessBaseline(created(), ex({ status: 201, body: { id: 'pay_2', created: 't2' } }), count(2), endpoint);
    expect(b.holds).toMatchObject({ replay: false, 'single-execution': false });
  });

  it('a failed original proves nothing', () => {
    expect(assessBaseline(ex({ status: 500 }), ex({ status: 500 }), count(1), endpoint).holds).toEqual({});
  });
});

describe('attribute', () => {
  const broken = assessBaseline(created(), ex({ status: 422 }), count(1), endpoint);
  const sound = assessBaseline(created(), ex({ status: 201, body: { id: 'pay_1', created: 't1' } }), count(1), endpoint);

  it('turns a failure resting on a disproved property into inconclusive naming the owner', () => {
    const f = presumes(finding('fail', 'violation', 'after the rejected reuse, the original answered 422', 'r', []), 'replay');
    expect(needsBaseline([f])).toBe(true);
    const [out] = attribute([f], broken);
    expect(out).toMatchObject({ verdict: 'inconclusive', level: 'violation', facts: { inconclusive: { owner: 'sequential-replay', property: 'replay' } } });
    expect(out!.message).toContain('sequential-replay');
    expect(out!.message).toContain('answered 422 where the original answered 201');
    expect(out!.exchanges.slice(0, 2)).toEqual([broken.original, broken.retry]);
  });

  it('keeps the failure when the baseline showed the property, and keeps failures that presume nothing', () => {
    const f = presumes(finding('fail', 'violation', 'x', 'r', []), 'replay');
    expect(attribute([f], sound)[0]!.verdict).toBe('fail');
    const own = finding('fail', 'violation', 'changed payload executed', 'r', []);
    expect(needsBaseline([own])).toBe(false);
    expect(attribute([own], broken)[0]!.verdict).toBe('fail');
  });
});

describe('a changed payload under the used key (reuse-rejected, owned by payload-mismatch)', () => {
  const pair = () => assessBaseline(created(), ex({ status: 201, body: { id: 'pay_1', created: 't1' } }), count(1), endpoint);

  it('one more execution after the reuse disproves it; a 422 without one shows it', () => {
    const executed = assessReuse(pair(), ex({ status: 201, body: { id: 'pay_2' } }), count(2), endpoint);
    expect(executed.holds['reuse-rejected']).toBe(false);
    expect(executed.observed['reuse-rejected']).toBe('executed (answered 201, 2 executions for one key)');
    expect(assessReuse(pair(), ex({ status: 422 }), count(1), endpoint).holds['reuse-rejected']).toBe(true);
  });

  it('without a count, another resource id in the answer shows the execution; nothing is concluded when the retry already executed', () => {
    const blind = { ...pair(), executions: null };
    expect(assessReuse(blind, ex({ status: 201, body: { id: 'pay_2' } }), count(null), endpoint).holds['reuse-rejected']).toBe(false);
    const reexecuting = assessBaseline(created(), ex({ status: 201, body: { id: 'pay_2' } }), count(2), endpoint);
    expect(assessReuse(reexecuting, ex({ status: 201, body: { id: 'pay_3' } }), count(3), endpoint).holds['reuse-rejected']).toBeUndefined();
  });

  it('an executed equivalent variant becomes inconclusive naming payload-mismatch; payload-mismatch itself is never attributed', () => {
    const broken = assessReuse(pair(), ex({ status: 201, body: { id: 'pay_2' } }), count(2), endpoint);
    const f = presumes(finding('fail', 'violation', 'equivalent variant(s) executed under a used key: reordered (201)', 'r', []), 'reuse-rejected');
    const [out] = attribute([f], broken, 'fingerprint');
    expect(out).toMatchObject({ verdict: 'inconclusive', facts: { inconclusive: { owner: 'payload-mismatch', property: 'reuse-rejected' } } });
    expect(out!.message).toContain('a changed payload under the used key, without any fault, already executed');
    expect(out!.exchanges.slice(0, 2)).toEqual([broken.original, broken.reuse]);
    expect(needsBaseline([f], 'payload-mismatch')).toBe(false);
    expect(attribute([f], broken, 'payload-mismatch')[0]!.verdict).toBe('fail');
  });
});

describe('payload-mismatch attributes by resource identity', () => {
  const body = { id: 'pay_1', created: 't1' };
  it('the same resource re-rendered after the reuse presumes replay-bytes, not poisoning', () => {
    const [f] = judgePayloadMismatch(
      { original: ex({ status: 201, body }), changed: ex({ status: 422 }), again: ex({ status: 201, body: { id: 'pay_1', created: 't2' } }), count: count(1) },
      IETF_07,
      { ignore: [] },
      '/id',
    );
    expect(f).toMatchObject({ verdict: 'fail', dependsOn: ['replay-bytes'], message: expect.stringContaining('names the same resource (pay_1)') });
  });
  it('another resource after the reuse is poisoning, presuming only that replays work', () => {
    const [f] = judgePayloadMismatch(
      { original: ex({ status: 201, body }), changed: ex({ status: 422 }), again: ex({ status: 201, body: { id: 'pay_9', created: 't2' } }), count: count(1) },
      IETF_07,
      { ignore: [] },
      '/id',
    );
    expect(f).toMatchObject({ verdict: 'fail', dependsOn: ['replay'], message: expect.stringContaining('replaced the stored result') });
  });
});

describe('gateOnOracle', () => {
  it('a pass resting on an oracle that counted nothing becomes an error naming it, with the answer', () => {
    const shown = ex({ status: 201, body: { data: { id: 'x' } } });
    const [out] = gateOnOracle(
      [finding('pass', 'violation', '3 bursts: one execution per key', 'r', [])],
      [{ oracle: 'identity', message: 'identity pointer /id matched nothing in 3 successful response(s), e.g. {"data":{"id":"x"}}', exchange: shown }],
    );
    expect(out).toMatchObject({ verdict: 'error', message: expect.stringContaining('identity pointer /id matched nothing') });
    expect(out!.exchanges[0]).toBe(shown);
  });
  it('failures and observations stand; without oracle failures nothing changes', () => {
    const fail = finding('fail', 'violation', 'executed twice', 'r', []);
    const obs = finding('pass', 'observation', 'no marker', 'r', []);
    expect(gateOnOracle([fail, obs], [{ oracle: 'probe', message: 'p' }])).toEqual([fail, obs]);
    const pass = finding('pass', 'violation', 'ok', 'r', []);
    expect(gateOnOracle([pass], [])).toEqual([pass]);
  });
});

describe('pointer templates (RFC 6901)', () => {
  it('escapes ~ and / inside one reference token', () => {
    expect(escapePointerToken('a/b~c')).toBe('a~1b~0c');
    expect(renderPointer('/{{tenant}}/{{key}}', { tenant: 'alice', key: 'k/1~x' })).toBe('/alice/k~11~0x');
    expect(renderPointer('/executions', { key: 'k' })).toBe('/executions');
  });
});

describe('raceBound (what a clean run rules out)', () => {
  it('states the narrowest window missed with at most 1% probability over N bursts', async () => {
    const { raceBound } = await import('../../../src/checks/race-confidence.js');
    // 40 bursts whose first two arrivals were 0.1 .. 4.0 ms apart: (1 - k/40)^40 <= 0.01 first at k = 5.
    const bursts = Array.from({ length: 40 }, (_, i) => [1000, 1000 + (i + 1) * 0.1, 1000 + 5]);
    const b = raceBound(bursts);
    expect(b.windowMs).toBe(0.501);
    expect(b.maxSpreadMs).toBe(5);
    // Without arrival times nothing is ruled out; with one burst only all of it counts.
    expect(raceBound([undefined, undefined]).windowMs).toBeUndefined();
    expect(raceBound([[0, 2]]).windowMs).toBe(2.001);
  });
});

describe('afterCompletion (copies that did not overlap)', () => {
  it('tells sequential re-executions from a race by the ledger timeline', async () => {
    const { afterCompletion } = await import('../../../src/checks/concurrent-duplicates.js');
    const round = (timeline: Array<{ receivedAt: number; executedAt: number }>) => ({
      key: 'k',
      exchanges: [],
      count: { executions: timeline.length, by: {}, ids: [], timeline },
    });
    expect(
      afterCompletion(
        round([
          { receivedAt: 0, executedAt: 100 },
          { receivedAt: 1200, executedAt: 1300 },
        ]),
      ),
    ).toBe(true);
    expect(
      afterCompletion(
        round([
          { receivedAt: 0, executedAt: 100 },
          { receivedAt: 50, executedAt: 200 },
        ]),
      ),
    ).toBe(false);
  });
});
