// What is retried: the default policy's table, validation answers always final.
import { describe, expect, it } from 'vitest';
import { classify, outcomeOfError, outcomeOfResponse, retryPolicy, type AttemptOutcome } from '../../../src/engine/retry/index.js';

describe('classify under the default policy', () => {
  it.each<[string, AttemptOutcome, 'retry' | 'final']>([
    ['201 created', { kind: 'ok', status: 201 }, 'final'],
    ['304', { kind: 'ok', status: 304 }, 'final'],
    ['409 in flight', { kind: 'fail', status: 409 }, 'retry'],
    ['429 throttled', { kind: 'fail', status: 429 }, 'retry'],
    ['502', { kind: 'fail', status: 502 }, 'retry'],
    ['503', { kind: 'fail', status: 503 }, 'retry'],
    ['504', { kind: 'fail', status: 504 }, 'retry'],
    ['500 (not listed)', { kind: 'fail', status: 500 }, 'final'],
    ['400', { kind: 'fail', status: 400 }, 'final'],
    ['401', { kind: 'fail', status: 401 }, 'final'],
    ['403', { kind: 'fail', status: 403 }, 'final'],
    ['404', { kind: 'fail', status: 404 }, 'final'],
    ['422 mismatch', { kind: 'fail', status: 422 }, 'final'],
    ['reset (unknown)', { kind: 'unknown', error: 'ECONNRESET' }, 'retry'],
    ['timeout (unknown)', { kind: 'unknown', error: 'UND_ERR_HEADERS_TIMEOUT' }, 'retry'],
    ['refused (fail, never sent)', { kind: 'fail', error: 'ECONNREFUSED' }, 'retry'],
  ])('%s -> %s', (_label, outcome, expected) => {
    expect(classify(outcome)).toBe(expected);
  });
});

describe('classify under custom policies', () => {
  it('network errors are final when retryOnNetworkError is off', () => {
    const p = retryPolicy({ retryOnNetworkError: false });
    expect(classify({ kind: 'unknown', error: 'ECONNRESET' }, p)).toBe('final');
    expect(classify({ kind: 'fail', status: 503 }, p)).toBe('retry');
  });

  it('validation statuses stay final even in a hand-built policy that lists them', () => {
    expect(classify({ kind: 'fail', status: 422 }, { retryOn: [422, 500], retryOnNetworkError: true })).toBe('final');
    expect(classify({ kind: 'fail', status: 500 }, { retryOn: [422, 500], retryOnNetworkError: true })).toBe('retry');
  });
});

describe('outcomes from responses and errors', () => {
  it('maps statuses to ok/fail and keeps Retry-After', () => {
    expect(outcomeOfResponse(201)).toEqual({ kind: 'ok', status: 201 });
    expect(outcomeOfResponse(503, { 'retry-after': '3' })).toEqual({ kind: 'fail', status: 503, retryAfter: '3' });
  });

  it('treats errors after sending as unknown and errors before connecting as fail', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(outcomeOfError(err('ECONNRESET'))).toEqual({ kind: 'unknown', error: 'ECONNRESET' });
    expect(outcomeOfError(err('UND_ERR_HEADERS_TIMEOUT'))).toEqual({ kind: 'unknown', error: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(outcomeOfError(new DOMException('The operation was aborted', 'AbortError')).kind).toBe('unknown');
    expect(outcomeOfError(err('ECONNREFUSED'))).toEqual({ kind: 'fail', error: 'ECONNREFUSED' });
    expect(outcomeOfError(new Error('x', { cause: err('ENOTFOUND') }))).toEqual({ kind: 'fail', error: 'ENOTFOUND' });
  });
});
