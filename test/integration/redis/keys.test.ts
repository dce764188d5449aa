// Record keys: `<prefix>{<key>}` with a one-to-one encoding whose hash tag is always the whole key.
import { describe, expect, it } from 'vitest';
import { recordKey, redisText } from '../../../src/reference/store/redis/keys.js';

const TRICKY = [
  '',
  'a',
  'a:b',
  '{',
  '}',
  '{}',
  '}{',
  '}}',
  '}a}',
  '{a}',
  '\\',
  '\\\\',
  '\\}',
  '\\u007D',
  '\\u007d',
  '\\uD800',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\uD800\uDC00',
  '\uDC00\uD800',
  '\\\uD800',
  '🔑',
  'é',
  'e\u0301',
  '\u0000',
  '*',
];

function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : undefined;
}

describe('Redis record keys', () => {
  it('leave ordinary keys unchanged: prefix + { + key + }', () => {
    expect(recordKey('idem:', 'order-42')).toBe('idem:{order-42}');
    expect(recordKey('idem:', 'tenant:a b*?[x]{y')).toBe('idem:{tenant:a b*?[x]{y}');
    expect(recordKey('p:', '🔑é')).toBe('p:{🔑é}');
  });

  it('escape backslashes, closing braces and lone surrogates', () => {
    expect(redisText('a}b')).toBe('a\\u007Db');
    expect(redisText('a\\b')).toBe('a\\\\b');
    expect(redisText('\uD800x')).toBe('\\uD800x');
    expect(redisText('\uD83D\uDD11')).toBe('\uD83D\uDD11');
  });

  it('are one-to-one, well-formed and as UTF-8 still distinct', () => {
    expect(new Set(TRICKY).size).toBe(TRICKY.length);
    const encoded = TRICKY.map(redisText);
    expect(new Set(encoded).size).toBe(TRICKY.length);
    expect(new Set(encoded.map((text) => Buffer.from(text, 'utf8').toString('hex'))).size).toBe(TRICKY.length);
    for (const text of encoded) expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
  });

  it('always make the whole encoded key the hash tag (Redis rule: first { to the first } after it, non-empty)', () => {
    for (const key of TRICKY.filter((k) => k !== '')) {
      expect(hashTag(recordKey('idem:', key))).toBe(redisText(key));
    }
    // The empty key has an empty tag, so Redis hashes the whole record key: still one key, one slot.
    expect(hashTag(recordKey('idem:', ''))).toBeUndefined();
  });
});
