import { describe, expect, it } from 'vitest';
import { KeyFactory, formatKey } from '../../../src/engine/keys.js';
import { createRng } from '../../../src/core/rng.js';

describe('seeded randomness', () => {
  it('gives the same keys and uuids for the same seed, different ones for another seed', () => {
    const draw = (seed: string) => {
      const rng = createRng(seed);
      const keys = new KeyFactory(rng.fork('keys'));
      return [keys.next(), keys.next(), rng.uuid()];
    };
    expect(draw('abc')).toEqual(draw('abc'));
    expect(draw('abc')).not.toEqual(draw('abd'));
  });

  it('draws version-4 UUIDs and floats in [0, 1)', () => {
    const rng = createRng('x');
    expect(rng.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const values = Array.from({ length: 1000 }, () => rng.next());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });
});

describe('formatKey', () => {
  it('writes an RFC 9651 sf-string with escapes, or the bare key', () => {
    expect(formatKey('ab"c\\d', 'sf-string')).toBe('"ab\\"c\\\\d"');
    expect(formatKey('abc', 'raw')).toBe('abc');
  });
});

describe('mutateBody', () => {
  it('changes the meaning, not just the bytes, of every body shape', async () => {
    const { mutateBody } = await import('../../../src/engine/requests.js');
    const m = (s: string) => mutateBody(Buffer.from(s)).toString();
    expect(JSON.parse(m('{"amount":5,"c":"EUR"}'))).toEqual({ amount: 6, c: 'EUR' });
    expect(JSON.parse(m('{"c":"EUR"}'))).toEqual({ c: 'EUR', idemauditVariant: 1 });
    expect(JSON.parse(m('[1,2]'))).toEqual([1, 2, { idemauditVariant: 1 }]);
    expect(JSON.parse(m('"abc"'))).toBe('abc-variant');
    expect(m('a=1&b=2')).toBe('a=1&b=2&idemauditVariant=1');
    expect(m('plain text')).toBe('plain text-idemaudit-variant');
    expect(JSON.parse(mutateBody(undefined).toString())).toEqual({ idemauditVariant: 1 });
  });
});
