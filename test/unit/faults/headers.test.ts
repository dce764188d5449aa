// Hop-by-hop headers stop at the proxy; end-to-end headers cross it with order and repeats kept.
import { describe, expect, it } from 'vitest';
import { filterRequestHeaders, filterResponseHeaders, idempotencyKeyOf } from '../../../src/faults/headers.js';

describe('filterRequestHeaders', () => {
  it('keeps end-to-end headers in order, repeats included, with their original case', () => {
    const raw = [
      'Host',
      'proxy:1',
      'Idempotency-Key',
      '"k"',
      'X-A',
      '1',
      'x-a',
      '2',
      'Connection',
      'keep-alive, X-Trace',
      'X-Trace',
      't',
      'TE',
      'trailers',
      'Expect',
      '100-continue',
      'Transfer-Encoding',
      'chunked',
    ];
    expect(filterRequestHeaders(raw)).toEqual(['Idempotency-Key', '"k"', 'X-A', '1', 'x-a', '2']);
  });
});

describe('filterResponseHeaders', () => {
  it('drops hop-by-hop headers and any the Connection header names, and keeps set-cookie arrays', () => {
    const out = filterResponseHeaders({
      connection: 'close, x-hop',
      'x-hop': 'y',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      'set-cookie': ['a=1', 'b=2'],
      location: '/p/1',
      'x-absent': undefined,
    });
    expect(out).toEqual({ 'set-cookie': ['a=1', 'b=2'], location: '/p/1' });
  });
});

describe('idempotencyKeyOf', () => {
  it('returns the header as received, the first of repeats', () => {
    expect(idempotencyKeyOf({ 'idempotency-key': '"abc"' })).toBe('"abc"');
    expect(idempotencyKeyOf({ 'idempotency-key': ['a', 'b'] })).toBe('a');
    expect(idempotencyKeyOf({})).toBeUndefined();
  });
});
