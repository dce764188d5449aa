import { describe, expect, it } from 'vitest';
import { MUST_NOT_REPLAY, MUST_REPLAY, judgeSequentialReplay } from '../../../src/checks/sequential-replay.js';
import { IETF_07, STRIPE_V1 } from '../../../src/profiles/builtin.js';
import { ex, replayHeaders } from '../../helpers/exchange.js';

const opts = { ignore: [], mustReplay: MUST_REPLAY, mustNotReplay: MUST_NOT_REPLAY };
const one = { executions: 1, by: { ledger: 1 }, ids: ['pay_1'] };
const body = { id: 'pay_1', amount: 10 };
const headers = { location: '/payments/pay_1', 'set-cookie': 'session=a' };

describe('judgeSequentialReplay', () => {
  it('passes an exact, marked replay', () => {
    const f = judgeSequentialReplay(
      {
        original: ex({ status: 201, body, headers }),
        replay: ex({ status: 201, body, headers: { location: headers.location, ...replayHeaders } }),
        count: one,
      },
      IETF_07,
      opts,
    );
    expect(f).toEqual([expect.objectContaining({ verdict: 'pass', level: 'violation' })]);
  });

  it('flags re-execution and a different body as violations', () => {
    const f = judgeSequentialReplay(
      { original: ex({ status: 201, body }), replay: ex({ status: 201, body: { id: 'pay_2', amount: 10 } }), count: { ...one, executions: 2 } },
      IETF_07,
      opts,
    );
    expect(f.map((x) => x.message)).toEqual([
      expect.stringContaining('executed again'),
      expect.stringContaining('body differs'),
      expect.stringContaining('marker'),
    ]);
    expect(f.filter((x) => x.verdict === 'fail').every((x) => x.level === 'violation')).toBe(true);
  });

  it('flags a lost Location as a deviation and a verbatim Set-Cookie too', () => {
    const f = judgeSequentialReplay(
      { original: ex({ status: 201, body, headers }), replay: ex({ status: 201, body, headers: { 'set-cookie': 'session=a', ...replayHeaders } }), count: one },
      IETF_07,
      opts,
    );
    expect(f).toEqual([
      expect.objectContaining({ verdict: 'fail', level: 'deviation', message: expect.stringContaining('location') }),
      expect.objectContaining({ verdict: 'fail', level: 'deviation', message: expect.stringContaining('set-cookie') }),
    ]);
  });

  it('treats a missing marker as an observation under ietf-07 and a deviation under stripe-v1', () => {
    const obs = { original: ex({ status: 201, body }), replay: ex({ status: 201, body }), count: one };
    expect(judgeSequentialReplay(obs, IETF_07, opts).at(-1)).toMatchObject({ verdict: 'pass', level: 'observation' });
    expect(judgeSequentialReplay(obs, STRIPE_V1, opts)).toEqual([expect.objectContaining({ verdict: 'fail', level: 'deviation' })]);
  });

  it('accepts reordered JSON only as a deviation, and not at all with ignore paths', () => {
    const original = ex({ status: 201, body: '{"id":"pay_1","created":"a"}', headers: replayHeaders });
    const reordered = ex({ status: 201, body: '{"created":"a","id":"pay_1"}', headers: replayHeaders });
    expect(
      judgeSequentialReplay({ original: ex({ status: 201, body: '{"id":"pay_1","created":"a"}' }), replay: reordered, count: one }, IETF_07, opts)[0],
    ).toMatchObject({ verdict: 'fail', level: 'deviation', message: expect.stringContaining('byte-identical') });
    const changed = ex({ status: 201, body: '{"id":"pay_1","created":"b"}', headers: replayHeaders });
    expect(
      judgeSequentialReplay({ original: ex({ status: 201, body: '{"id":"pay_1","created":"a"}' }), replay: changed, count: one }, IETF_07, {
        ...opts,
        ignore: ['/created'],
      })[0],
    ).toMatchObject({ verdict: 'pass' });
    expect(original.response!.status).toBe(201);
  });

  it('cannot judge when the original failed', () => {
    expect(judgeSequentialReplay({ original: ex({ status: 400 }), replay: ex({ status: 400 }), count: one }, IETF_07, opts)[0]).toMatchObject({
      verdict: 'error',
    });
  });
});
