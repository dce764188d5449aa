// The verdicts across instances or regions, as pure functions: failover-replay's outcomes and the
// replication lag it reports, cross-instance-duplicates' evidence per instance, and the `targets` input (flag and scenario rules).
import { describe, expect, it } from 'vitest';
import { judgeFailoverReplay, observedLagMs, type FailoverRound } from '../../../src/checks/failover-replay.js';
import { judgeCrossInstanceDuplicates, perInstance } from '../../../src/checks/cross-instance-duplicates.js';
import type { ExecutionCount } from '../../../src/engine/oracle.js';
import { IETF_07 } from '../../../src/profiles/builtin.js';
import { targetsFlag } from '../../../src/cli/targets-flag.js';
import { targetsProblems } from '../../../src/scenario/targets-rules.js';
import { ex, replayHeaders } from '../../helpers/exchange.js';

const instances = [
  { name: 'eu', baseUrl: 'http://127.0.0.1:1', ledgerUrl: 'http://127.0.0.1:1/_idemaudit/ledger' },
  { name: 'us', baseUrl: 'http://127.0.0.1:2', ledgerUrl: 'http://127.0.0.1:2/_idemaudit/ledger' },
];
const count = (executions: number | null): ExecutionCount => ({ executions, by: executions === null ? {} : { ledger: executions }, ids: [] });
const body = { id: 'pay_1', amount: 10 };

function round(delayMs: number, executions: number | null, retry: { status: number; body?: unknown }): FailoverRound {
  return {
    delayMs,
    from: 'eu',
    to: 'us',
    original: ex({ status: 201, body, label: 'commit via eu' }),
    retry: ex({ ...retry, headers: retry.status === 201 ? replayHeaders : {}, label: `retry via us after ${delayMs} ms` }),
    count: count(executions),
  };
}
const replayed = (d: number) => round(d, 1, { status: 201, body });
const executed = (d: number) => round(d, 2, { status: 201, body: { id: 'pay_2', amount: 10 } });

describe('failover-replay', () => {
  it('passes replays and 409s, reporting no lag when the first retry already replayed', () => {
    const f = judgeFailoverReplay([replayed(0), round(50, 1, { status: 409 }), replayed(200)], instances, IETF_07);
    expect(f).toEqual([expect.objectContaining({ verdict: 'pass', level: 'violation' })]);
    expect(f[0]!.message).toMatch(/3 retries through us after a commit through eu .* 2 replayed, 1 answered 409/);
    // A 409 at 50 ms is not a replay: the lag is measured from the first delay after which all replayed.
    expect(observedLagMs([replayed(0), round(50, 1, { status: 409 }), replayed(200)], [])).toBe(200);
  });

  it('fails a second execution and reports the lag after which the other instance replayed', () => {
    const rounds = [executed(0), executed(50), replayed(200), replayed(1000)];
    const f = judgeFailoverReplay(rounds, instances, IETF_07);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ verdict: 'fail', level: 'violation', dependsOn: ['single-execution'] });
    expect(f[0]!.message).toBe(
      'a retry through us 0 ms after the commit through eu executed again (2 executions; retry answered 201); second executions at delays 0 ms, 50 ms; replication lag observed: retries replayed from 200 ms after the commit',
    );
    expect(f[0]!.facts).toMatchObject({ replicationLagMs: 200, outcomes: { '0ms': 'eu->us: executed', '200ms': 'eu->us: replayed' } });
  });

  it('says the key was never shared when no delay replayed', () => {
    const f = judgeFailoverReplay([executed(0), executed(1000)], instances, IETF_07);
    expect(f[0]!.message).toContain('no retry replayed even 1000 ms after the commit: the instances never shared the key');
    expect(f[0]!.facts).toMatchObject({ replicationLagMs: null });
  });

  it('without an oracle: a different answer is a second execution, an identical one is not judged (skip, never pass)', () => {
    expect(judgeFailoverReplay([round(0, null, { status: 201, body: { id: 'pay_9' } })], instances, IETF_07)[0]).toMatchObject({ verdict: 'fail' });
    expect(judgeFailoverReplay([round(0, null, { status: 201, body })], instances, IETF_07)[0]).toMatchObject({ verdict: 'skip' });
  });

  it('a failed commit or an unanswered retry is an error, not a verdict', () => {
    const r = { ...replayed(0), original: ex({ status: 500, body: {} }) };
    expect(judgeFailoverReplay([r], instances, IETF_07)[0]).toMatchObject({ verdict: 'error' });
    const lost = { ...replayed(0), retry: ex({ error: 'ECONNREFUSED' }) };
    expect(judgeFailoverReplay([lost], instances, IETF_07)[0]!.message).toMatch(/the retry through us got no response \(ECONNREFUSED\)/);
  });
});

describe('cross-instance-duplicates', () => {
  it('names the instances and what each answered when the key executed on both', () => {
    const exchanges = [
      ex({ status: 201, body, label: 'copy 1/4 via eu' }),
      ex({ status: 201, body: { id: 'pay_2' }, label: 'copy 2/4 via us' }),
      ex({ status: 409, label: 'copy 3/4 via eu' }),
      ex({ status: 409, label: 'copy 4/4 via us' }),
    ];
    expect(perInstance(exchanges)).toBe('eu: 201×1, 409×1; us: 201×1, 409×1');
    const f = judgeCrossInstanceDuplicates([{ key: 'k', exchanges, count: count(2) }], instances, IETF_07);
    const fail = f.find((x) => x.verdict === 'fail')!;
    expect(fail.message).toMatch(
      /^across instances eu, us: key executed 2 times for 4 concurrent copies .*\[eu: 201×1, 409×1; us: 201×1, 409×1\]: the instances do not share one claim per key/,
    );
    expect(fail.facts).toMatchObject({ instances: [{ name: 'eu' }, { name: 'us' }] });
  });

  it('passes one execution across instances', () => {
    const exchanges = [ex({ status: 201, body, label: 'copy 1/2 via eu' }), ex({ status: 409, label: 'copy 2/2 via us' })];
    const f = judgeCrossInstanceDuplicates([{ key: 'k', exchanges, count: count(1) }], instances, IETF_07);
    expect(f).toEqual([expect.objectContaining({ verdict: 'pass' })]);
    expect(f[0]!.message).toMatch(/^across instances eu, us: no duplicate execution/);
  });
});

describe('targets input', () => {
  it('--targets parses name=url pairs and rejects anything else', () => {
    expect(targetsFlag('eu=http://127.0.0.1:4000, us=https://us.example/api')).toEqual({ eu: 'http://127.0.0.1:4000', us: 'https://us.example/api' });
    expect(targetsFlag('b=self', { a: 'self' })).toEqual({ a: 'self', b: 'self' });
    expect(() => targetsFlag('http://127.0.0.1:4000')).toThrow(/expected name=url pairs/);
    expect(() => targetsFlag('eu=ftp://x')).toThrow(/eu: 'ftp:\/\/x' is not an http\(s\) URL/);
    expect(() => targetsFlag('eu=http://a,eu=http://b')).toThrow(/given twice/);
  });

  it('scenario rules: self needs target self; one URL twice is one instance', () => {
    expect(targetsProblems({ target: 'self', targets: { a: 'self', b: 'self' } })).toEqual([]);
    expect(targetsProblems({ target: 'http://x', targets: { a: 'self', b: 'http://y', c: 'http://y/' } }).map((f) => f.path)).toEqual([
      ['targets', 'a'],
      ['targets', 'c'],
    ]);
  });
});
