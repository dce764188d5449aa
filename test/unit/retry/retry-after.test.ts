// Retry-After: delay-seconds and all three HTTP-date formats, relative to an injected now.
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../src/engine/retry/index.js';

const now = Date.parse('Sun, 06 Nov 1994 08:49:00 GMT');

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an IMF-fixdate relative to now', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(37_000);
  });

  it('reads the obsolete RFC 850 and asctime formats', () => {
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(37_000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', now)).toBe(37_000);
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:00:00 GMT', now)).toBe(0);
  });

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['2', '9'], now)).toBe(2_000);
  });

  it.each([undefined, null, '', '-1', '1.5', 'soon', '2 minutes', '06 Nov 1994 08:49:37'])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
