// The pure duplicate judge: a replay matches byte for byte, or the difference is attributed to a
// second execution (resource ids differ), a replay mismatch (same resource), or left unexplained.
import { describe, expect, it } from 'vitest';
import { claimWinner, identityOf, judgeDuplicate } from '../../../src/engine/load/duplicate-judge.js';

const answer = (status: number, body: string | undefined) => ({ status, body: body === undefined ? undefined : Buffer.from(body) });

describe('judgeDuplicate', () => {
  it('a byte-identical answer with the same status is a match', () => {
    expect(judgeDuplicate(answer(201, '{"id":"a"}'), answer(201, '{"id":"a"}'), '/id')).toBe('match');
    expect(judgeDuplicate(answer(201, undefined), answer(201, ''), undefined)).toBe('match');
  });

  it('different resource ids prove a second execution', () => {
    expect(judgeDuplicate(answer(201, '{"id":"a"}'), answer(201, '{"id":"b"}'), '/id')).toBe('identity');
  });

  it('the same resource with another status or body is a replay mismatch', () => {
    expect(judgeDuplicate(answer(201, '{"id":"a"}'), answer(200, '{"id":"a"}'), '/id')).toBe('mismatch');
    expect(judgeDuplicate(answer(201, '{"id":"a","n":1}'), answer(201, '{"id":"a","n":2}'), '/id')).toBe('mismatch');
    // An id missing on one side cannot prove an execution: still a mismatch, not a duplicate execution.
    expect(judgeDuplicate(answer(201, '{"id":"a"}'), answer(201, 'oops'), '/id')).toBe('mismatch');
  });

  it('without an identity pointer a difference stays unexplained', () => {
    expect(judgeDuplicate(answer(201, '{"id":"a"}'), answer(201, '{"id":"b"}'), undefined)).toBe('unexplained');
  });
});

describe('identityOf and claimWinner', () => {
  it('reads ids as strings and ignores bodies that are not JSON', () => {
    expect(identityOf(Buffer.from('{"data":{"id":7}}'), '/data/id')).toBe('7');
    expect(identityOf(Buffer.from('{"id":null}'), '/id')).toBeUndefined();
    expect(identityOf(Buffer.from('<html>'), '/id')).toBeUndefined();
    expect(identityOf(Buffer.from('{"id":"a"}'), undefined)).toBeUndefined();
  });

  it('the unmarked answer of a pair won the claim when only the original is marked', () => {
    const o = { marked: true, n: 'o' };
    const t = { marked: false, n: 't' };
    expect(claimWinner(o, t)).toEqual({ first: t, second: o });
    expect(claimWinner(t, o)).toEqual({ first: t, second: o });
    expect(claimWinner({ marked: false, n: 'o' }, { marked: false, n: 't' }).first.n).toBe('o');
  });
});
