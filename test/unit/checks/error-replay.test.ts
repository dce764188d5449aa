import { describe, expect, it } from 'vitest';
import { errorPolicy, judgeErrorReplay, judgeErrorRound, retryOutcome, triggerBody, type ErrorReplayRound } from '../../../src/checks/error-replay.js';
import { IETF_07, STRIPE_V1 } from '../../../src/profiles/builtin.js';
import { EndpointSchema } from '../../../src/scenario/schema.js';
import { ex, replayHeaders } from '../../helpers/exchange.js';

const endpoint = (errors: Record<string, string> = {}) =>
  EndpointSchema.parse({ name: 'create-payment', path: '/payments', identity: '/id', policy: { errors } });
const count = (ledger?: number) => (ledger === undefined ? { executions: null, by: {}, ids: [] } : { executions: ledger, by: { ledger }, ids: [] });
const problem = (status: number) => ({ type: 'urn:x', status });

function round(errorClass: '4xx' | '5xx', retry: 'marked' | 'fresh' | 'same', ledger?: number): ErrorReplayRound {
  const status = errorClass === '4xx' ? 400 : 500;
  const first = ex({ status, body: problem(status) });
  const r =
    retry === 'marked'
      ? ex({ status, body: problem(status), headers: replayHeaders })
      : retry === 'same'
        ? ex({ status, body: problem(status) })
        : ex({ status, body: { ...problem(status), attempt: 2 } });
  return { errorClass, first, retry: r, count: count(ledger) };
}

describe('triggerBody', () => {
  it('merges a trigger object over the endpoint body and replaces anything else', () => {
    expect(triggerBody({ amount: 1250, currency: 'EUR' }, { simulate: 500 })).toEqual({ amount: 1250, currency: 'EUR', simulate: 500 });
    expect(triggerBody({ amount: 1250 }, { amount: -1 })).toEqual({ amount: -1 });
    expect(triggerBody({ amount: 1250 }, 'not json')).toBe('not json');
    expect(triggerBody('raw', { a: 1 })).toEqual({ a: 1 });
  });
});

describe('retryOutcome', () => {
  it('tells a replay from a release by the marker, the oracle and the answer', () => {
    expect(retryOutcome(round('5xx', 'marked', 1))).toBe('replayed');
    expect(retryOutcome(round('5xx', 'same', 2))).toBe('released');
    expect(retryOutcome(round('5xx', 'same', 1))).toBe('replayed');
    expect(retryOutcome(round('4xx', 'fresh'))).toBe('released');
    expect(retryOutcome(round('4xx', 'same', 0))).toBe('unclear');
    expect(retryOutcome(round('4xx', 'same'))).toBe('unclear');
  });
});

describe('errorPolicy', () => {
  it("takes the endpoint's declared policy unless it is any, then the profile's", () => {
    expect(errorPolicy('5xx', endpoint({ '5xx': 'release' }), STRIPE_V1)).toMatchObject({ policy: 'release', by: 'endpoint' });
    expect(errorPolicy('5xx', endpoint(), STRIPE_V1)).toMatchObject({ policy: 'replay', by: 'profile', cite: STRIPE_V1.cite.errors });
    expect(errorPolicy('4xx', endpoint(), IETF_07)).toMatchObject({ policy: 'any' });
  });
});

describe('judgeErrorRound', () => {
  it('fails a replayed 5xx where the endpoint declares release (the cache-5xx bug) as a deviation', () => {
    const f = judgeErrorRound(round('5xx', 'marked', 1), endpoint({ '5xx': 'release' }), IETF_07);
    expect(f).toMatchObject({ verdict: 'fail', level: 'deviation', message: expect.stringContaining("create-payment's policy says release") });
    expect(f.facts).toMatchObject({ outcome: 'replayed', policy: 'release', policyBy: 'endpoint' });
  });

  it('passes a released 5xx under release, at deviation level', () => {
    expect(judgeErrorRound(round('5xx', 'same', 2), endpoint({ '5xx': 'release' }), IETF_07)).toMatchObject({ verdict: 'pass', level: 'deviation' });
  });

  it('is an observation when neither the endpoint nor the profile has a policy', () => {
    const f = judgeErrorReplay([round('4xx', 'marked', 0), round('5xx', 'same', 2)], endpoint(), IETF_07);
    expect(f).toEqual([
      expect.objectContaining({ verdict: 'pass', level: 'observation', message: expect.stringContaining('the 400 was replayed') }),
      expect.objectContaining({ verdict: 'pass', level: 'observation', message: expect.stringContaining('the key was released') }),
    ]);
  });

  it('fails a release that ran a committed side effect twice where replay is demanded, as a violation', () => {
    expect(judgeErrorRound(round('5xx', 'same', 2), endpoint(), STRIPE_V1)).toMatchObject({
      verdict: 'fail',
      level: 'violation',
      message: expect.stringContaining('stripe-v1 says replay'),
    });
  });

  it('fails a released 4xx where replay is declared as a deviation (nothing ran twice)', () => {
    expect(judgeErrorRound(round('4xx', 'fresh', 0), endpoint({ '4xx': 'replay' }), IETF_07)).toMatchObject({ verdict: 'fail', level: 'deviation' });
  });

  it('cannot grade an indistinguishable retry: observation', () => {
    expect(judgeErrorRound(round('4xx', 'same'), endpoint({ '4xx': 'release' }), IETF_07)).toMatchObject({
      verdict: 'pass',
      level: 'observation',
      facts: expect.objectContaining({ outcome: 'unclear' }),
    });
  });

  it('reports an error when the trigger body does not produce its error class', () => {
    const f = judgeErrorRound(
      { errorClass: '5xx', first: ex({ status: 201, body: { id: 'pay_1' } }), retry: ex({ status: 201 }), count: count(1) },
      endpoint(),
      IETF_07,
    );
    expect(f).toMatchObject({ verdict: 'error', message: expect.stringContaining('body5xx') });
  });
});
