import { describe, expect, it } from 'vitest';
import { classifyRetry, humanDuration, judgeExpiry, type ExpiryRound } from '../../../src/checks/expiry.js';
import { IETF_07 } from '../../../src/profiles/builtin.js';
import { EndpointSchema } from '../../../src/scenario/schema.js';
import { ex, replayHeaders } from '../../helpers/exchange.js';

const endpoint = EndpointSchema.parse({ name: 'create-payment', path: '/payments', identity: '/id', policy: { retention: '24h' } });
const count = (ledger: number) => ({ executions: ledger, by: { identity: 1, ledger }, ids: [] });
const original = () => ex({ status: 201, body: { id: 'pay_1' } });

function retry(kind: 'replay' | 'fresh' | 'conflict', waitedMs = 1500): ExpiryRound {
  const r =
    kind === 'replay'
      ? ex({ status: 201, body: { id: 'pay_1' }, headers: replayHeaders })
      : kind === 'fresh'
        ? ex({ status: 201, body: { id: 'pay_2' } })
        : ex({ status: 409 });
  return { original: original(), retry: r, count: count(kind === 'fresh' ? 2 : 1), waitedMs };
}

describe('humanDuration', () => {
  it('writes whole units, hours up to two days', () => {
    expect([humanDuration(86_400_000), humanDuration(172_800_000), humanDuration(1500), humanDuration(2000), humanDuration(250)]).toEqual([
      '24 h',
      '2 d',
      '1.5 s',
      '2 s',
      '250 ms',
    ]);
  });
});

describe('classifyRetry', () => {
  it('replay, fresh execution, or something else', () => {
    expect(classifyRetry(retry('replay'), endpoint)).toBe('replay');
    expect(classifyRetry(retry('fresh'), endpoint)).toBe('executed');
    expect(classifyRetry(retry('conflict'), endpoint)).toBe('other');
  });
});

describe('judgeExpiry', () => {
  it('passes a replay inside the retention and notes that expiry itself was not tested', () => {
    const f = judgeExpiry({ retentionMs: 86_400_000, before: retry('replay') }, endpoint, IETF_07);
    expect(f).toEqual([expect.objectContaining({ verdict: 'pass', level: 'deviation', message: 'still replayed at +1.5 s (inside the retention of 24 h)' })]);
    expect(f[0]!.facts).toMatchObject({
      declaredRetentionMs: 86_400_000,
      before: 'replay',
      observedRetention: '>= 1.5 s',
      after: expect.stringContaining('testRetention'),
    });
    expect(f[0]!.reference).toContain('scenario policy of create-payment: retention = 24 h');
  });

  it('flags a key that expired inside the retention (short TTL) as a deviation', () => {
    const [f] = judgeExpiry({ retentionMs: 86_400_000, before: retry('fresh') }, endpoint, IETF_07);
    expect(f).toMatchObject({ verdict: 'fail', level: 'deviation', message: expect.stringContaining('expired early') });
    expect(f!.facts).toMatchObject({ before: 'executed', observedRetention: '< 1.5 s', executions: 2 });
  });

  it('flags a retry that is neither replayed nor executed', () => {
    expect(judgeExpiry({ before: retry('conflict') }, endpoint, IETF_07)[0]).toMatchObject({
      verdict: 'fail',
      level: 'deviation',
      message: expect.stringContaining('answered 409'),
    });
  });

  it('past the test retention expects a fresh execution', () => {
    const fresh = judgeExpiry({ retentionMs: 86_400_000, testRetentionMs: 2000, before: retry('replay'), after: retry('fresh', 2500) }, endpoint, IETF_07);
    expect(fresh.map((f) => f.verdict)).toEqual(['pass', 'pass']);
    expect(fresh[1]!.message).toBe('executed afresh at +2.5 s, after the test retention of 2 s');
    const stale = judgeExpiry({ retentionMs: 86_400_000, testRetentionMs: 2000, before: retry('replay'), after: retry('replay', 2500) }, endpoint, IETF_07);
    expect(stale[1]).toMatchObject({ verdict: 'fail', level: 'deviation', message: expect.stringContaining('outlives its retention') });
  });

  it('reports an error when the original failed', () => {
    expect(judgeExpiry({ before: { ...retry('replay'), original: ex({ status: 400 }) } }, endpoint, IETF_07)[0]).toMatchObject({ verdict: 'error' });
  });
});
