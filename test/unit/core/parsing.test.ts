import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { atLeastOne, duration } from '../../../src/cli/options.js';
import { parseDuration } from '../../../src/core/duration.js';
import { parseHealth, parseHealthText } from '../../../src/core/health.js';
import { pointerTokens, removeAtPointer, resolvePointer } from '../../../src/core/json-pointer.js';
import { Duration } from '../../../src/scenario/schema.js';

describe('one duration syntax for YAML and flags', () => {
  it('parses every unit, fractions included', () => {
    expect(['250ms', '1.5s', '5m', '24h', '7d'].map(parseDuration)).toEqual([250, 1500, 300_000, 86_400_000, 604_800_000]);
    expect(parseDuration('7 days')).toBeUndefined();
    expect(parseDuration('-1s')).toBeUndefined();
    expect(parseDuration('5')).toBeUndefined();
  });
  it('the flag parser and the scenario schema agree, 7d included (--ttl 7d used to fail)', () => {
    for (const text of ['250ms', '30s', '5m', '24h', '7d', '0.5h']) expect(duration(text)).toBe(Duration.parse(text));
    expect(duration('1500')).toBe(1500);
    expect(() => duration('7w')).toThrow(InvalidArgumentError);
    expect(() => duration('7w')).toThrow(/250ms, 30s, 5m, 24h or 7d/);
  });
});

describe('--max-requests', () => {
  it('rejects 0 instead of reading it as "no cap"', () => {
    expect(() => atLeastOne('0')).toThrow(/>= 1/);
    expect(() => atLeastOne('1.5')).toThrow(InvalidArgumentError);
    expect(atLeastOne('12')).toBe(12);
  });
});

describe('JSON pointers (RFC 6901)', () => {
  const doc = { data: [{ id: 'a' }, { id: 'b' }], 'a/b': { 'm~n': 1 }, meta: { at: 5, keep: true } };
  it('unescapes ~1 and ~0 in that order', () => {
    expect(pointerTokens('/a~1b/m~0n')).toEqual(['a/b', 'm~n']);
    expect(pointerTokens('/~01')).toEqual(['~1']);
    expect(pointerTokens('')).toEqual([]);
  });
  it('resolves into objects and arrays, undefined for missing paths', () => {
    expect(resolvePointer(doc, '/data/1/id')).toBe('b');
    expect(resolvePointer(doc, '/a~1b/m~0n')).toBe(1);
    expect(resolvePointer(doc, '')).toBe(doc);
    expect(resolvePointer(doc, '/data/9/id')).toBeUndefined();
    expect(resolvePointer(doc, '/meta/at/deeper')).toBeUndefined();
  });
  it('removes the named member in place and ignores a missing parent', () => {
    const copy = structuredClone(doc);
    removeAtPointer(copy, '/meta/at');
    removeAtPointer(copy, '/nope/at');
    expect(copy.meta).toEqual({ keep: true });
    expect(copy.data).toEqual(doc.data);
  });
});

describe('the health document', () => {
  it('reads text and documents alike, and nothing from another API', () => {
    const text = JSON.stringify({ ok: true, store: 'redis', settings: { leaseMs: 500 }, faults: { storeOutage: '/_idemaudit/outage' } });
    expect(parseHealthText(text)).toEqual({ store: 'redis', leaseMs: 500, storeOutagePath: '/_idemaudit/outage' });
    expect(parseHealthText('<html>not found</html>')).toBeUndefined();
    expect(parseHealthText('')).toBeUndefined();
    expect(parseHealth({ ok: false, store: 'memory' })).toBeUndefined();
  });
});
