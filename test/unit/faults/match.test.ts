// Which requests a spec applies to: method (any case), path prefix, or glob with * and **.
import { describe, expect, it } from 'vitest';
import { compileMatch, pathnameOf } from '../../../src/faults/match.js';

describe('compileMatch', () => {
  it('matches everything without a match block', () => {
    expect(compileMatch(undefined)('DELETE', '/anything')).toBe(true);
  });

  it('compares methods case-insensitively', () => {
    const post = compileMatch({ method: 'post' });
    expect(post('POST', '/p')).toBe(true);
    expect(post('GET', '/p')).toBe(false);
  });

  it('treats a path without * as a prefix', () => {
    const m = compileMatch({ path: '/payments' });
    expect(['/payments', '/payments/1', '/paymentsX'].map((p) => m('POST', p))).toEqual([true, true, true]);
    expect(m('POST', '/refunds')).toBe(false);
  });

  it('keeps * inside one segment and lets ** cross segments', () => {
    const one = compileMatch({ path: '/payments/*/refunds' });
    expect(one('POST', '/payments/42/refunds')).toBe(true);
    expect(one('POST', '/payments/4/2/refunds')).toBe(false);
    expect(one('POST', '/payments/42/refunds/1')).toBe(false);
    const deep = compileMatch({ path: '/api/**' });
    expect(deep('POST', '/api/v1/payments/9')).toBe(true);
    expect(deep('POST', '/apix')).toBe(false);
  });

  it('escapes regex characters in globs', () => {
    const m = compileMatch({ path: '/v1.0/*' });
    expect(m('GET', '/v1.0/x')).toBe(true);
    expect(m('GET', '/v1x0/x')).toBe(false);
  });

  it('needs both method and path to match when both are given', () => {
    const m = compileMatch({ method: 'POST', path: '/payments' });
    expect(m('GET', '/payments')).toBe(false);
    expect(m('POST', '/other')).toBe(false);
    expect(m('POST', '/payments')).toBe(true);
  });
});

describe('pathnameOf', () => {
  it('drops the query so it never affects matching', () => {
    expect(pathnameOf('/payments?x=/refunds')).toBe('/payments');
    expect(pathnameOf(undefined)).toBe('/');
  });
});
