import { describe, expect, it } from 'vitest';
import { fingerprintVariants, judgeFingerprint, type VariantName } from '../../../src/checks/fingerprint.js';
import { IETF_07 } from '../../../src/profiles/builtin.js';
import { EndpointSchema } from '../../../src/scenario/schema.js';
import { ex, replayHeaders } from '../../helpers/exchange.js';

const endpoint = EndpointSchema.parse({ name: 'create-payment', path: '/payments', identity: '/id' });
const body = Buffer.from(JSON.stringify({ amount: 1250, currency: 'EUR', reference: 'order-1' }));
const count = (ledger: number) => ({ executions: ledger, by: { ledger }, ids: [] });
const original = () => ex({ status: 201, body: { id: 'pay_1' } });
const names: VariantName[] = ['reordered', 'whitespace', 'numeric', 'exponent'];
const sent = (make: (name: VariantName) => ReturnType<typeof ex>) => names.map((name) => ({ name, exchange: make(name) }));

describe('fingerprintVariants', () => {
  it('derives semantically equal but byte-different JSON variants', () => {
    const { variants, notApplicable } = fingerprintVariants(body, '/payments');
    const text = Object.fromEntries(variants.map((v) => [v.name, v.body!.toString()]));
    expect(text.reordered).toBe('{"reference":"order-1","currency":"EUR","amount":1250}');
    expect(text.whitespace).toContain('\n  "amount": 1250');
    expect(text.numeric).toBe('{"amount":1250.0,"currency":"EUR","reference":"order-1"}');
    expect(text.exponent).toBe('{"amount":1.25e+3,"currency":"EUR","reference":"order-1"}');
    for (const v of variants) {
      expect(JSON.parse(v.body!.toString())).toEqual(JSON.parse(body.toString()));
      expect(v.body!.equals(body)).toBe(false);
    }
    expect(Object.keys(notApplicable)).toEqual(['query-order']);
  });

  it('reorders query parameters when the path has them, and says why JSON variants do not apply to other bodies', () => {
    const { variants, notApplicable } = fingerprintVariants(Buffer.from('plain text'), '/orders?a=1&b=2');
    expect(variants).toEqual([{ name: 'query-order', path: '/orders?b=2&a=1' }]);
    expect(Object.keys(notApplicable)).toEqual(['reordered', 'whitespace', 'numeric', 'exponent']);
  });
});

describe('judgeFingerprint', () => {
  it('passes rejections and replays as an observation, listing what each variant got', () => {
    const variants = sent((n) => (n === 'whitespace' ? ex({ status: 201, body: { id: 'pay_1' }, headers: replayHeaders }) : ex({ status: 422 })));
    const [f, ...rest] = judgeFingerprint({ original: original(), variants, count: count(1) }, endpoint, IETF_07);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ verdict: 'pass', level: 'observation' });
    expect(f!.facts).toMatchObject({ reordered: '422', whitespace: 'replay', numeric: '422', exponent: '422', executions: 1 });
  });

  it('flags a variant executed under the used key as a violation (e.g. after a poisoned rejection)', () => {
    const variants = sent((n) => (n === 'whitespace' ? ex({ status: 201, body: { id: 'pay_2' } }) : ex({ status: 422 })));
    const f = judgeFingerprint({ original: original(), variants, count: count(2) }, endpoint, IETF_07);
    expect(f).toEqual([
      expect.objectContaining({ verdict: 'fail', level: 'violation', message: 'equivalent variant(s) executed under a used key: whitespace (201)' }),
    ]);
  });

  it('flags a second execution the responses do not show, and 5xx answers', () => {
    expect(judgeFingerprint({ original: original(), variants: sent(() => ex({ status: 422 })), count: count(2) }, endpoint, IETF_07)[0]).toMatchObject({
      verdict: 'fail',
      level: 'violation',
      message: 'the key executed 2 times across the variants',
    });
    expect(
      judgeFingerprint({ original: original(), variants: sent((n) => ex({ status: n === 'numeric' ? 500 : 422 })), count: count(1) }, endpoint, IETF_07)[0],
    ).toMatchObject({ verdict: 'fail', level: 'violation', message: 'variant(s) answered with a 5xx: numeric (500)' });
  });

  it('reports an error when the original failed', () => {
    expect(judgeFingerprint({ original: ex({ status: 400 }), variants: [], count: count(0) }, endpoint, IETF_07)[0]).toMatchObject({ verdict: 'error' });
  });
});
