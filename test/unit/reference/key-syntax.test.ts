import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_KEY_LENGTH, parseIdempotencyKey } from '../../../src/reference/layer/key-syntax.js';

const ok = (key: string) => ({ ok: true, key });

describe('parseIdempotencyKey (sf-string)', () => {
  it.each([
    ['"abc"', 'abc'],
    ['"8e03978e-40d5-43e8-bc93-6894a57f9324"', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['"with space"', 'with space'],
    ['"say \\"hi\\""', 'say "hi"'],
    ['"back\\\\slash"', 'back\\slash'],
    ['  "ows around"\t', 'ows around'],
    ['"a:b;c,d"', 'a:b;c,d'],
    [`"${'x'.repeat(MAX_KEY_LENGTH)}"`, 'x'.repeat(MAX_KEY_LENGTH)],
  ])('accepts %s', (raw, key) => {
    expect(parseIdempotencyKey(raw, 'sf-string')).toEqual(ok(key));
  });

  it.each([
    ['bare', 'abc'],
    ['empty header', ''],
    ['only whitespace', '   '],
    ['empty string', '""'],
    ['missing closing quote', '"abc'],
    ['unescaped quote inside', '"a"b"'],
    ['unknown escape', '"a\\nb"'],
    ['trailing backslash', '"abc\\"'],
    ['tab inside', '"a\tb"'],
    ['control character', '"a\u0001b"'],
    ['non-ASCII', '"café"'],
    ['parameters', '"abc";p=1'],
    ['list of two', '"a", "b"'],
    ['over-long', `"${'x'.repeat(MAX_KEY_LENGTH + 1)}"`],
    ['escape makes it over-long', `"${'\\\\'.repeat(MAX_KEY_LENGTH + 1)}"`],
  ])('rejects %s', (_label, raw) => {
    const result = parseIdempotencyKey(raw, 'sf-string');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
  });

  it('names the reason at the length boundary and for a quote inside an otherwise plain key', () => {
    expect(parseIdempotencyKey(`"${'x'.repeat(MAX_KEY_LENGTH + 1)}"`, 'sf-string')).toEqual({
      ok: false,
      reason: `key is longer than ${MAX_KEY_LENGTH} characters`,
    });
    expect(parseIdempotencyKey('"a"b"', 'sf-string')).toEqual({ ok: false, reason: 'unexpected characters after the closing quote' });
    expect(parseIdempotencyKey('"a\u0001"', 'sf-string')).toEqual({ ok: false, reason: 'key contains a non-printable or non-ASCII character' });
  });

  it('rejects a header sent twice', () => {
    expect(parseIdempotencyKey(['"a"', '"b"'], 'sf-string').ok).toBe(false);
  });

  it('round-trips every printable ASCII key of 1..255 characters', () => {
    const printable = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
    const key = fc.string({ unit: printable, minLength: 1, maxLength: MAX_KEY_LENGTH });
    fc.assert(
      fc.property(key, (k) => {
        const serialised = `"${k.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
        expect(parseIdempotencyKey(serialised, 'sf-string')).toEqual(ok(k));
      }),
    );
  });
});

describe('parseIdempotencyKey (lenient)', () => {
  it('accepts bare keys and quoted keys, the latter unquoted', () => {
    expect(parseIdempotencyKey('abc-123', 'lenient')).toEqual(ok('abc-123'));
    expect(parseIdempotencyKey('"abc-123"', 'lenient')).toEqual(ok('abc-123'));
    expect(parseIdempotencyKey('has inner space', 'lenient')).toEqual(ok('has inner space'));
  });

  it.each([
    ['empty', ''],
    ['control character', 'a\u0007b'],
    ['non-ASCII', 'clé'],
    ['over-long', 'x'.repeat(MAX_KEY_LENGTH + 1)],
    ['broken quoted form', '"abc'],
  ])('rejects %s', (_label, raw) => {
    expect(parseIdempotencyKey(raw, 'lenient').ok).toBe(false);
  });
});
