import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../../src/report/redact.js';
import { redactionPolicyFor } from '../../../src/audit/redaction-policy.js';
import { parseScenario } from '../../../src/scenario/index.js';
import { ex } from '../../helpers/exchange.js';

const yaml = `
version: 1
name: r
target: http://127.0.0.1:9
tenants:
  a: { headers: { Authorization: "Bearer canary-token-aaa", X-Api-Key: canary-key-bbb } }
redact: [cardNumber]
endpoints:
  - { name: e, path: /p, body: { cardNumber: "4111", amount: 1 } }
`;

describe('redaction', () => {
  const scenario = parseScenario(yaml, 'r.yaml', {});
  const redactor = new Redactor(redactionPolicyFor(scenario));

  it('redacts credential headers by name, declared body fields, and credential values anywhere', () => {
    const e = ex({
      status: 201,
      body: { cardNumber: '4111', echo: 'seen canary-token-aaa here', amount: 1 },
      headers: { 'set-cookie': 's=1', 'x-api-key': 'canary-key-bbb' },
    });
    e.request.headers = { authorization: 'Bearer canary-token-aaa', 'x-api-key': 'canary-key-bbb', cookie: 'c=2' };
    e.request.body = Buffer.from(JSON.stringify({ cardNumber: '4111', amount: 1 }));
    e.request.url = 'http://127.0.0.1:9/p?token=canary-key-bbb';
    const rec = redactor.record(e);
    const text = JSON.stringify(rec);
    for (const secret of ['canary-token-aaa', 'canary-key-bbb', '4111', 's=1', 'c=2']) expect(text).not.toContain(secret);
    expect(text).toContain(REDACTED);
    expect(rec.response!.body).toContain('"amount":1');
  });

  it('bounds body excerpts and keeps the byte count and hash', () => {
    const big = new Redactor({ maxBody: 10 });
    const rec = big.record(ex({ status: 200, body: 'x'.repeat(100) }));
    expect(rec.response!.body.startsWith('xxxxxxxxxx…')).toBe(true);
    expect(rec.response!.bodyBytes).toBe(100);
    expect(rec.response!.bodySha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('redaction of query strings, form bodies and facts', () => {
  const redactor = new Redactor({ names: ['api_key', 'cardNumber'], secrets: ['canary-token-aaa'] });

  it('redacts named query parameters and form fields, keeping the rest', () => {
    expect(redactor.url('http://h/p?api_key=QUERYSECRET123&x=1')).toBe('http://h/p?api_key=%5BREDACTED%5D&x=1');
    expect(redactor.body(Buffer.from('cardNumber=FORMSECRET4111&amount=5'))).toBe('cardNumber=%5BREDACTED%5D&amount=5');
  });

  it('redacts facts like any other JSON value', () => {
    expect(redactor.value({ cardNumber: '4111', note: 'has canary-token-aaa', n: 1 })).toEqual({ cardNumber: REDACTED, note: `has ${REDACTED}`, n: 1 });
  });
});
