import { describe, expect, it } from 'vitest';
import {
  collisionKeys,
  judgeKeyValidation,
  keyProbes,
  unsendableReason,
  type CollisionProbe,
  type KeyProbe,
  type SentProbe,
} from '../../../src/checks/key-validation.js';
import type { KeyFormat } from '../../../src/engine/keys.js';
import { IETF_07 } from '../../../src/profiles/builtin.js';
import { EndpointSchema } from '../../../src/scenario/schema.js';
import { ex, replayHeaders } from '../../helpers/exchange.js';

const endpoint = EndpointSchema.parse({ name: 'create-payment', path: '/payments', identity: '/id' });
const count = (ledger: number) => ({ executions: ledger, by: { identity: 1, ledger }, ids: [] });

/** A well-behaved, strict server: malformed keys and sf-string bare tokens 400, everything else executed with its own id. */
function answer(p: KeyProbe, overrides: Record<string, SentProbe['exchange']> = {}): SentProbe {
  if (p.unsendable) return { probe: p };
  const refused = p.expect === 'reject' || (p.expect === 'either' && p.name === 'bare-token');
  const exchange = overrides[p.name] ?? (refused ? ex({ status: 400 }) : ex({ status: 201, body: { id: `pay_${p.name}` } }));
  return { probe: p, exchange };
}

function lookAlikes(overrides: Record<string, CollisionProbe> = {}): CollisionProbe[] {
  return [{ name: 'base', key: 'k' }, ...collisionKeys('k')].map(
    ({ name, key }) => overrides[name] ?? { name, key, exchange: ex({ status: 201, body: { id: `pay_${name}` }, key }), count: count(1) },
  );
}

const observe = (format: KeyFormat, probeOverrides: Record<string, SentProbe['exchange']> = {}, collisions = lookAlikes()) => ({
  format,
  probes: keyProbes('k', format).map((p) => answer(p, probeOverrides)),
  collisions,
});

describe('keyProbes', () => {
  it('writes sf-string probes and marks what ietf-07 requires to be refused', () => {
    const probes = Object.fromEntries(keyProbes('k', 'sf-string').map((p) => [p.name, p]));
    expect(probes['empty-header']).toMatchObject({ header: '', expect: 'reject' });
    expect(probes['empty-quoted']).toMatchObject({ header: '""', expect: 'reject' });
    expect(probes['too-long']!.key).toHaveLength(256);
    expect(probes['too-long']).toMatchObject({ header: `"${probes['too-long']!.key}"`, expect: 'reject' });
    expect(probes['max-length']!.key).toHaveLength(255);
    expect(probes['max-length']!.expect).toBe('accept');
    expect(probes['control-tab']).toMatchObject({ header: '"k\tx"', expect: 'reject' });
    expect(probes['control-tab']!.unsendable).toBeUndefined();
    expect(probes['non-ascii-latin1']).toMatchObject({ header: '"k-cl\u00e9"', expect: 'reject' });
    expect(probes['non-ascii-latin1']!.unsendable).toBeUndefined();
    expect(probes['bare-token']).toMatchObject({ header: 'k-bare', expect: 'either' });
    expect(probes['quoted-string']).toMatchObject({ header: '"k-quoted"', expect: 'accept' });
    for (const name of ['control-soh', 'control-crlf', 'control-nul', 'non-ascii-cyrillic']) {
      expect(probes[name]!.unsendable, name).toMatch(/refuses header values/);
    }
  });

  it('under raw keys a bare token is the normal form and controls/non-ASCII are only observed', () => {
    const probes = Object.fromEntries(keyProbes('k', 'raw').map((p) => [p.name, p]));
    expect(probes['bare-token']!.expect).toBe('accept');
    expect(probes['control-tab']).toMatchObject({ header: 'k\tx', expect: 'either' });
    expect(probes['empty-quoted']!.expect).toBe('either');
    expect(probes['too-long']).toMatchObject({ header: probes['too-long']!.key, expect: 'reject' });
  });

  it('look-alike keys are distinct from the base and from each other', () => {
    const keys = ['k', ...collisionKeys('k').map((c) => c.key)];
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(['k', 'k:x', 'k%3Ax', 'k*', 'tenant:k', 'K']);
  });

  it('knows which header values the HTTP client cannot send', () => {
    expect(unsendableReason('"a\tb"')).toBeUndefined();
    expect(unsendableReason('"cl\u00e9"')).toBeUndefined();
    expect(unsendableReason('"a\u007fb"')).toContain('U+007F');
    expect(unsendableReason('"ключ"')).toContain('above U+00FF');
  });
});

describe('judgeKeyValidation', () => {
  it('passes when malformed keys are refused and look-alikes run independently; facts list what was accepted', () => {
    const [f, ...rest] = judgeKeyValidation(observe('sf-string'), endpoint, IETF_07);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ verdict: 'pass', level: 'violation' });
    expect(f!.facts).toMatchObject({
      format: 'sf-string',
      accepted: ['max-length', 'quoted-string'],
      rejected: expect.arrayContaining(['empty-header (400)', 'bare-token (400)', 'control-tab (400)']),
      unsendable: expect.arrayContaining([expect.stringMatching(/^control-crlf: /)]),
      keysKeptApart: ['base', 'separator', 'percent-encoded', 'wildcard', 'tenant-prefix', 'upper-case'],
      collisions: [],
    });
  });

  it('flags a 5xx for a malformed key as a violation', () => {
    const f = judgeKeyValidation(observe('sf-string', { 'too-long': ex({ status: 500 }) }), endpoint, IETF_07);
    expect(f).toEqual([expect.objectContaining({ verdict: 'fail', level: 'violation', message: expect.stringContaining('too-long (500)') })]);
  });

  it('flags a malformed key that was accepted as a deviation', () => {
    const f = judgeKeyValidation(observe('sf-string', { 'too-long': ex({ status: 201, body: { id: 'pay_long' } }) }), endpoint, IETF_07);
    expect(f).toEqual([expect.objectContaining({ verdict: 'fail', level: 'deviation', message: 'malformed key(s) accepted and executed: too-long (201)' })]);
  });

  it('a bare key accepted besides the quoted one is an observation under sf-string, not a deviation', () => {
    const f = judgeKeyValidation(observe('sf-string', { 'bare-token': ex({ status: 201, body: { id: 'pay_bare' } }) }), endpoint, IETF_07);
    expect(f.map((x) => [x.verdict, x.level])).toEqual([
      ['pass', 'violation'],
      ['pass', 'observation'],
    ]);
    expect(f[1]!.message).toContain('bare (unquoted) keys are accepted as well as sf-string quoted ones (bare-token (201))');
  });

  it('only observes what is accepted where the format leaves it open (raw keys, control characters)', () => {
    const f = judgeKeyValidation(observe('raw', { 'control-tab': ex({ status: 201, body: { id: 'pay_tab' } }) }), endpoint, IETF_07);
    expect(f).toEqual([expect.objectContaining({ verdict: 'pass' })]);
    expect(f[0]!.facts!.accepted).toContain('control-tab');
  });

  it("flags a look-alike key that received the base key's result (separator truncation) as a violation", () => {
    const collisions = lookAlikes({
      separator: { name: 'separator', key: 'k:x', exchange: ex({ status: 201, body: { id: 'pay_base' }, headers: replayHeaders }), count: count(0) },
    });
    const f = judgeKeyValidation(observe('sf-string', {}, collisions), endpoint, IETF_07);
    expect(f).toEqual([
      expect.objectContaining({ verdict: 'fail', level: 'violation', message: expect.stringContaining('keys base and separator got the same result') }),
    ]);
    expect(f[0]!.exchanges.length).toBe(2);
  });

  it('flags a look-alike answered without any execution of its own (ledger 0), or with a 409', () => {
    const silent = lookAlikes({ 'upper-case': { name: 'upper-case', key: 'K', exchange: ex({ status: 201, body: { id: 'pay_other' } }), count: count(0) } });
    expect(judgeKeyValidation(observe('sf-string', {}, silent), endpoint, IETF_07)[0]).toMatchObject({
      verdict: 'fail',
      level: 'violation',
      message: expect.stringContaining('ledger recorded no execution'),
    });
    const conflict = lookAlikes({ wildcard: { name: 'wildcard', key: 'k*', exchange: ex({ status: 409 }), count: count(0) } });
    expect(judgeKeyValidation(observe('sf-string', {}, conflict), endpoint, IETF_07)[0]).toMatchObject({
      verdict: 'fail',
      level: 'violation',
      message: expect.stringContaining('wildcard answered 409'),
    });
  });

  it('reports an error when the base request itself fails', () => {
    const collisions = lookAlikes({ base: { name: 'base', key: 'k', exchange: ex({ status: 401 }), count: count(0) } });
    expect(judgeKeyValidation(observe('sf-string', {}, collisions), endpoint, IETF_07)).toEqual([expect.objectContaining({ verdict: 'error' })]);
  });
});
