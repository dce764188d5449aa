import { describe, expect, it } from 'vitest';
import { judgeCrossTenant } from '../../../src/checks/cross-tenant.js';
import { judgeMissingKey } from '../../../src/checks/missing-key.js';
import { IETF_07, STRIPE_V1 } from '../../../src/profiles/builtin.js';
import { PolicySchema, type Endpoint } from '../../../src/scenario/schema.js';
import { ex, replayHeaders } from '../../helpers/exchange.js';

const endpoint = (keyRequired: Endpoint['keyRequired'], identity?: string): Endpoint => ({
  name: 'create-payment',
  method: 'POST',
  path: '/payments',
  keyRequired,
  risk: 'high',
  policy: PolicySchema.parse({}),
  ...(identity ? { identity } : {}),
});

describe('judgeMissingKey', () => {
  it('passes a 400 rejection', () => {
    expect(judgeMissingKey(ex({ status: 400 }), endpoint('expected'), IETF_07)).toEqual([expect.objectContaining({ verdict: 'pass' })]);
  });
  it('a keyless execution is a deviation when expected and a violation when mandatory', () => {
    expect(judgeMissingKey(ex({ status: 201 }), endpoint('expected'), IETF_07)[0]).toMatchObject({ verdict: 'fail', level: 'deviation' });
    expect(judgeMissingKey(ex({ status: 201 }), endpoint('mandatory'), IETF_07)[0]).toMatchObject({ verdict: 'fail', level: 'violation' });
  });
  it('is only an observation where the profile makes keys optional', () => {
    expect(judgeMissingKey(ex({ status: 201 }), endpoint('expected'), STRIPE_V1)[0]).toMatchObject({ verdict: 'pass', level: 'observation' });
  });
  it('flags the wrong 4xx as a deviation', () => {
    expect(judgeMissingKey(ex({ status: 401 }), endpoint('expected'), IETF_07)[0]).toMatchObject({
      verdict: 'fail',
      level: 'deviation',
      message: expect.stringContaining('expects 400'),
    });
  });
});

describe('judgeCrossTenant', () => {
  const a = () => ex({ status: 201, body: { id: 'pay_a' }, tenant: 'alice' });
  it('passes independent executions', () => {
    const f = judgeCrossTenant(
      {
        first: a(),
        other: ex({ status: 201, body: { id: 'pay_b' }, tenant: 'bob' }),
        firstAgain: ex({ status: 201, body: { id: 'pay_a' }, headers: replayHeaders }),
      },
      endpoint('expected', '/id'),
      IETF_07,
    );
    expect(f).toEqual([expect.objectContaining({ verdict: 'pass' })]);
  });
  it("flags the other tenant receiving the first tenant's resource", () => {
    const f = judgeCrossTenant(
      {
        first: a(),
        other: ex({ status: 201, body: { id: 'pay_a' }, tenant: 'bob', headers: replayHeaders }),
        firstAgain: ex({ status: 201, body: { id: 'pay_a' } }),
      },
      endpoint('expected', '/id'),
      IETF_07,
    );
    expect(f[0]).toMatchObject({ verdict: 'fail', level: 'violation', message: "tenant bob received tenant alice's response for the same key" });
  });
  it('passes a 4xx for the other tenant', () => {
    expect(
      judgeCrossTenant(
        { first: a(), other: ex({ status: 422, tenant: 'bob' }), firstAgain: ex({ status: 201, body: { id: 'pay_a' } }) },
        endpoint('expected', '/id'),
        IETF_07,
      )[0],
    ).toMatchObject({ verdict: 'pass', message: expect.stringContaining('rejected with 422') });
  });
});

describe('judgeCrossTenant without an identity', () => {
  it("identical bytes are the other tenant's result only when marked as a replay", () => {
    const first = ex({ status: 201, body: { ok: true }, tenant: 'alice' });
    const again = ex({ status: 201, body: { ok: true }, headers: replayHeaders });
    expect(
      judgeCrossTenant({ first, other: ex({ status: 201, body: { ok: true }, tenant: 'bob' }), firstAgain: again }, endpoint('expected'), IETF_07)[0],
    ).toMatchObject({ verdict: 'pass' });
    expect(
      judgeCrossTenant(
        { first, other: ex({ status: 201, body: { ok: true }, tenant: 'bob', headers: replayHeaders }), firstAgain: again },
        endpoint('expected'),
        IETF_07,
      )[0],
    ).toMatchObject({ verdict: 'fail', level: 'violation' });
  });
});
