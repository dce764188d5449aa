// The verdicts across instances or regions, as pure functions: failover-replay's outcomes and the
// replication lag it reports, cross-instance-duplicates' evidence per instance, and the `targets` input (flag and scenario rules).
import { describe, expect, it } from 'vitest';
import { judgeFailoverReplay, observedLagMs } from '../../../src/checks/failover-replay.js';
import type { FailoverRound } from '../../../src/checks/failover.js';
import { EXECUTION_ACROSS_INSTANCES } from '../../../src/checks/root-causes.js';
import { explainSplitExecution, judgeCrossInstanceDuplicates, needsFailoverProbe, perInstance } from '../../../src/checks/cross-instance-duplicates.js';
import { judgeConcurrentDuplicates, type BurstRound } from '../../../src/checks/concurrent-duplicates.js';
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

  // One root cause, one finding: the failover probe (commit via eu, retry via us at once) tells the stories apart.
  const split = () => [ex({ status: 201, body, label: 'copy 1/2 via eu' }), ex({ status: 201, body: { id: 'pay_2' }, label: 'copy 2/2 via us' })];
  const probe = (executions: number | null, retry: { status: number; body?: unknown }): FailoverRound => ({
    ...round(0, executions, retry),
    original: ex({ status: 201, body, label: 'failover probe: commit via eu', key: 'probe-key' }),
    retry: ex({ ...retry, headers: retry.status === 201 ? replayHeaders : {}, label: 'failover probe: retry via us after 0 ms', key: 'probe-key' }),
  });

  it('instances that share no completed key: inconclusive, owned by failover-replay, the probe as first evidence', () => {
    const exchanges = split();
    const p = probe(2, { status: 201, body: { id: 'pay_3', amount: 10 } });
    const f = judgeCrossInstanceDuplicates([{ key: 'k', exchanges, count: count(2) }], instances, IETF_07, [p]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ verdict: 'inconclusive', level: 'violation', facts: { inconclusive: { owner: 'failover-replay' } } });
    expect(f[0]!.message).toMatch(
      /^not judged \(root cause owned by failover-replay\): a sequential retry through us at once after the commit through eu executed again \(2 executions; retry answered 201\): the instances do not share completed keys at all, .*; this check saw: across instances eu, us: key executed 2 times for 2 concurrent copies .*\[eu: 201×1; us: 201×1\]$/,
    );
    expect(f[0]!.exchanges.slice(0, 2)).toEqual([p.original, p.retry]);
    expect(f[0]!.exchanges.slice(2)).toEqual(exchanges);
    expect(f[0]!.concurrent).toBeUndefined();
    expect(f[0]!.facts).toMatchObject({ failoverProbe: { outcomes: { 'eu->us': 'executed' }, executions: [2] } });
  });

  it('instances that share completed keys but not the in-flight claim: the failure is its own, and says so', () => {
    const f = judgeCrossInstanceDuplicates([{ key: 'k', exchanges: split(), count: count(2) }], instances, IETF_07, [probe(1, { status: 201, body })]);
    expect(f).toEqual([expect.objectContaining({ verdict: 'fail', level: 'violation', concurrent: true, dependsOn: ['single-execution'] })]);
    expect(f[0]!.message).toMatch(
      /\[eu: 201×1; us: 201×1\]: the instances share completed keys but not the in-flight claim \(a sequential retry through us at once after the commit through eu replayed, so only concurrent copies/,
    );
    // The probe is told in facts, not evidence: the reproduction stays one parallel burst.
    expect(f[0]!.exchanges).toHaveLength(2);
    expect(f[0]!.facts).toMatchObject({ failoverProbe: { outcomes: { 'eu->us': 'replayed' } } });
  });

  it('a probe that cannot tell, or instances that disagree, keep the failure (never a false pass)', () => {
    const blind = probe(null, { status: 201, body });
    const failed = { ...probe(1, { status: 201, body }), original: ex({ status: 500, label: 'failover probe: commit via eu' }) };
    // A 409 right after the commit: the other instance saw the claim, so "not the in-flight claim" would be wrong.
    const conflict = probe(1, { status: 409 });
    for (const probes of [[], [blind], [failed], [conflict]]) {
      const f = explainSplitExecution(
        { verdict: 'fail', level: 'violation', message: 'across instances eu, us: key executed 2 times', reference: 'r', exchanges: [] },
        probes,
      );
      expect(f.verdict).toBe('fail');
      expect(f.message).toMatch(/: the instances do not share one claim per key \(a store local to each instance or region\)/);
    }
    expect(
      explainSplitExecution({ verdict: 'fail', level: 'violation', message: 'key executed 2 times', reference: 'r', exchanges: [] }, [conflict]).message,
    ).toContain('failover probe: a sequential retry through us at once after the commit through eu answered 409');
    const three = [probe(2, { status: 201, body: { id: 'pay_3' } }), { ...probe(1, { status: 201, body }), to: 'ap' }];
    const mixed = explainSplitExecution({ verdict: 'fail', level: 'violation', message: 'key executed 2 times', reference: 'r', exchanges: [] }, three);
    expect(mixed.verdict).toBe('fail');
    expect(mixed.message).toContain('failover probe: a sequential retry through us at once after the commit through eu executed again');
    expect(mixed.message).toContain('through ap at once after the commit through eu replayed');
  });

  it('names its root cause, so only failover-replay reporting a second execution covers it', () => {
    const f = judgeCrossInstanceDuplicates([{ key: 'k', exchanges: split(), count: count(2) }], instances, IETF_07, [
      probe(2, { status: 201, body: { id: 'pay_3' } }),
    ]);
    expect(f[0]!.facts).toMatchObject({ inconclusive: { owner: 'failover-replay', rootCause: EXECUTION_ACROSS_INSTANCES } });
    const [fail] = judgeFailoverReplay([executed(0)], instances, IETF_07);
    expect(fail!.facts).toMatchObject({ rootCause: EXECUTION_ACROSS_INSTANCES });
    // A replay that merely differs is another root cause: it must not cover the second execution.
    const [differs] = judgeFailoverReplay([round(0, 1, { status: 201, body: { id: 'pay_1', amount: 11 } })], instances, IETF_07);
    expect(differs!.verdict).toBe('fail');
    expect(differs!.facts?.rootCause).toBeUndefined();
  });

  // Extra executions that each arrived after the previous had completed: not a race, but split across
  // instances they may be one instance never seeing the other's completion (the probe tells).
  const late = (): BurstRound => ({
    key: 'k',
    exchanges: split(),
    count: {
      ...count(2),
      timeline: [
        { receivedAt: 0, executedAt: 5 },
        { receivedAt: 9, executedAt: 12 },
      ],
    },
  });

  it('late extra executions that a sequential probe reproduces across instances: failover-replay owns them', () => {
    const p = probe(2, { status: 201, body: { id: 'pay_3', amount: 10 } });
    const f = judgeCrossInstanceDuplicates([late()], instances, IETF_07, [p]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      verdict: 'inconclusive',
      facts: { duplicateExecution: 'after-completion', inconclusive: { owner: 'failover-replay', rootCause: EXECUTION_ACROSS_INSTANCES } },
    });
    expect(f[0]!.message).toMatch(
      /^not judged \(root cause owned by failover-replay\): a sequential retry .*; this check saw: across instances eu, us: 2 executions for 2 copies, but each extra one arrived after the previous had completed/,
    );
    expect(f[0]!.message.match(/not judged/g)).toHaveLength(1);
    expect(f[0]!.exchanges.slice(0, 2)).toEqual([p.original, p.retry]);
  });

  it('late extra executions the probe does not reproduce stay with sequential-replay or expiry, the probe in facts', () => {
    for (const probes of [[], [probe(1, { status: 201, body })]]) {
      const [f] = judgeCrossInstanceDuplicates([late()], instances, IETF_07, probes);
      expect(f).toMatchObject({ verdict: 'inconclusive', facts: { duplicateExecution: 'after-completion' } });
      expect((f!.facts!.inconclusive as object | undefined) ?? {}).not.toHaveProperty('owner', 'failover-replay');
      expect(f!.message).toMatch(/^across instances eu, us: not judged \(root cause owned by sequential-replay or expiry\)/);
      expect(f!.facts!.failoverProbe !== undefined).toBe(probes.length > 0);
    }
  });

  it('sends the probe for a concurrent second execution or a late one, not for a pass or a 5xx', () => {
    const judge = (r: BurstRound) => judgeConcurrentDuplicates([r], IETF_07);
    expect(needsFailoverProbe(judge({ key: 'k', exchanges: split(), count: count(2) }))).toBe(true);
    expect(needsFailoverProbe(judge(late()))).toBe(true);
    expect(needsFailoverProbe(judge({ key: 'k', exchanges: split(), count: count(1) }))).toBe(false);
    const fiveHundred = [ex({ status: 201, body, label: 'copy 1/2 via eu' }), ex({ status: 500, label: 'copy 2/2 via us' })];
    expect(needsFailoverProbe(judge({ key: 'k', exchanges: fiveHundred, count: count(1) }))).toBe(false);
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
