import { describe, expect, it } from 'vitest';
import { judgeCrossEndpoint, otherEndpoint, sameResult } from '../../../src/checks/cross-endpoint.js';
import { IETF_07 } from '../../../src/profiles/builtin.js';
import { EndpointSchema } from '../../../src/scenario/schema.js';
import { ex, replayHeaders } from '../../helpers/exchange.js';

const payments = EndpointSchema.parse({ name: 'create-payment', path: '/payments', identity: '/id' });
const refunds = EndpointSchema.parse({ name: 'create-refund', path: '/refunds', identity: '/id' });
const orders = EndpointSchema.parse({ name: 'create-order', path: '/orders' });
const scenario = { endpoints: [payments, refunds, orders] };

const first = () => ex({ status: 201, body: { id: 'pay_1', amount: 10 }, label: 'original' });
const again = () => ex({ status: 201, body: { id: 'pay_1', amount: 10 }, headers: replayHeaders, label: 'original again' });
const other = (f: Parameters<typeof ex>[0]) => ex({ label: 'same key on create-refund (POST /refunds)', ...f });

describe('otherEndpoint', () => {
  it('defaults to the next endpoint declared, wrapping around', () => {
    expect(otherEndpoint(scenario, payments)).toBe(refunds);
    expect(otherEndpoint(scenario, orders)).toBe(payments);
  });
  it('uses the named endpoint, falls back to the default when it names the current one, and rejects unknown names', () => {
    expect(otherEndpoint(scenario, payments, 'create-order')).toBe(orders);
    expect(otherEndpoint(scenario, refunds, 'create-refund')).toBe(orders);
    expect(otherEndpoint(scenario, payments, 'nope')).toBeInstanceOf(Error);
  });
  it('finds none when only one endpoint is declared', () => {
    expect(otherEndpoint({ endpoints: [payments] }, payments)).toBeUndefined();
  });
});

describe('sameResult', () => {
  it('compares identities when both responses carry one, else the body bytes', () => {
    expect(sameResult(first(), again(), payments)).toBe(true);
    expect(sameResult(first(), ex({ status: 201, body: { id: 'pay_2', amount: 10 } }), payments)).toBe(false);
    expect(sameResult(ex({ status: 201, body: 'ok' }), ex({ status: 201, body: 'ok' }), payments)).toBe(true);
    expect(sameResult(first(), ex({ status: 422 }), payments)).toBe(false);
  });
});

describe('judgeCrossEndpoint', () => {
  it('passes a 4xx on the other endpoint and an intact replay; the status is a fact', () => {
    const f = judgeCrossEndpoint({ first: first(), reuses: [other({ status: 422 })], firstAgain: again() }, payments, IETF_07);
    expect(f).toEqual([expect.objectContaining({ verdict: 'pass', level: 'violation', message: expect.stringContaining('was rejected with 422') })]);
    expect(f[0]!.facts).toEqual({ 'same key on create-refund (POST /refunds)': '422' });
  });

  it('passes an independent execution on the other endpoint', () => {
    const f = judgeCrossEndpoint({ first: first(), reuses: [other({ status: 201, body: { id: 're_1' } })], firstAgain: again() }, payments, IETF_07);
    expect(f[0]).toMatchObject({ verdict: 'pass', message: expect.stringContaining('executed independently (201)') });
  });

  it("flags the other endpoint receiving the first endpoint's response as a violation", () => {
    const f = judgeCrossEndpoint(
      { first: first(), reuses: [other({ status: 201, body: { id: 'pay_1', amount: 10 }, headers: replayHeaders })], firstAgain: again() },
      payments,
      IETF_07,
    );
    expect(f).toEqual([
      expect.objectContaining({
        verdict: 'fail',
        level: 'violation',
        message: "same key on create-refund (POST /refunds): received create-payment's response (201)",
      }),
    ]);
  });

  it('flags a 5xx and a lost original', () => {
    expect(judgeCrossEndpoint({ first: first(), reuses: [other({ status: 500 })], firstAgain: again() }, payments, IETF_07)[0]).toMatchObject({
      verdict: 'fail',
      level: 'violation',
      message: expect.stringContaining('answered 500'),
    });
    const lost = judgeCrossEndpoint(
      { first: first(), reuses: [other({ status: 422 }), ex({ status: 405, label: 'same key with PUT /payments' })], firstAgain: ex({ status: 422 }) },
      payments,
      IETF_07,
    );
    expect(lost).toEqual([
      expect.objectContaining({ verdict: 'fail', level: 'violation', message: expect.stringContaining('no longer replays its own result (422)') }),
    ]);
  });

  it('reports an error when the original failed', () => {
    expect(judgeCrossEndpoint({ first: ex({ status: 400 }), reuses: [], firstAgain: again() }, payments, IETF_07)[0]).toMatchObject({ verdict: 'error' });
  });
});
