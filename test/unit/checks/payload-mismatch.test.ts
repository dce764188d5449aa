import { describe, expect, it } from 'vitest';
import { judgePayloadMismatch } from '../../../src/checks/payload-mismatch.js';
import { IETF_07, STRIPE_V1 } from '../../../src/profiles/builtin.js';
import { ex, replayHeaders } from '../../helpers/exchange.js';

const body = { id: 'pay_1', amount: 10 };
const count = (executions: number) => ({ executions, by: { ledger: executions }, ids: [] });
const original = () => ex({ status: 201, body });
const replay = () => ex({ status: 201, body, headers: replayHeaders });

describe('judgePayloadMismatch', () => {
  it('passes a 422 rejection followed by an intact replay', () => {
    expect(judgePayloadMismatch({ original: original(), changed: ex({ status: 422 }), again: replay(), count: count(1) }, IETF_07, { ignore: [] })).toEqual([
      expect.objectContaining({ verdict: 'pass' }),
    ]);
  });

  it('flags the old result replayed for a changed payload (no fingerprint)', () => {
    const [f] = judgePayloadMismatch({ original: original(), changed: replay(), again: replay(), count: count(1) }, IETF_07, { ignore: [] });
    expect(f).toMatchObject({ verdict: 'fail', level: 'violation', message: expect.stringContaining("original's response") });
  });

  it('flags a changed payload that executed', () => {
    const [f] = judgePayloadMismatch(
      { original: original(), changed: ex({ status: 201, body: { id: 'pay_2', amount: 11 } }), again: replay(), count: count(2) },
      IETF_07,
      { ignore: [] },
    );
    expect(f).toMatchObject({ verdict: 'fail', level: 'violation', message: expect.stringContaining('executed under a used key') });
  });

  it('flags a rejection that destroyed the original (poison)', () => {
    const f = judgePayloadMismatch(
      { original: original(), changed: ex({ status: 422 }), again: ex({ status: 201, body: { id: 'pay_3', amount: 10 } }), count: count(2) },
      IETF_07,
      { ignore: [] },
    );
    expect(f).toEqual([expect.objectContaining({ verdict: 'fail', level: 'violation', message: expect.stringContaining('destroyed the original') })]);
  });

  it('grades the status by profile: 422 is a deviation under stripe-v1, 500 always a violation', () => {
    expect(
      judgePayloadMismatch({ original: original(), changed: ex({ status: 422 }), again: replay(), count: count(1) }, STRIPE_V1, { ignore: [] })[0],
    ).toMatchObject({ verdict: 'fail', level: 'deviation' });
    expect(
      judgePayloadMismatch({ original: original(), changed: ex({ status: 500 }), again: replay(), count: count(1) }, IETF_07, { ignore: [] })[0],
    ).toMatchObject({ verdict: 'fail', level: 'violation' });
  });
});
