// Who reports a root cause (src/audit/ownership.ts): an inconclusive result stays inconclusive only while
// its owner reports the root cause on the same endpoint in the same run (it failed, or follows an owner
// chain that ends in a failure); otherwise it is a failure again and says why. Never a false pass.
import { describe, expect, it } from 'vitest';
import { settleOwnership } from '../../../src/audit/ownership.js';
import { ownerOf } from '../../../src/core/verdict.js';
import type { ResultRecord } from '../../../src/report/model.js';

const result = (check: string, verdict: ResultRecord['verdict'], owner?: string, endpoint = 'create-payment'): ResultRecord => ({
  check,
  endpoint,
  verdict,
  level: 'violation',
  message: `${check} saw it`,
  reference: 'r',
  evidence: [],
  ...(owner !== undefined ? { facts: { inconclusive: { owner } } } : {}),
});
const reproduce = () => ['curl -sS ...'];
const verdicts = (rs: ResultRecord[]) => rs.map((r) => `${r.check}:${r.verdict}`);

describe('settleOwnership', () => {
  it('keeps an inconclusive result whose owner failed on the same endpoint, untouched', () => {
    const results = [result('cross-instance-duplicates', 'inconclusive', 'failover-replay'), result('failover-replay', 'fail')];
    const settled = settleOwnership(results, reproduce);
    expect(verdicts(settled)).toEqual(['cross-instance-duplicates:inconclusive', 'failover-replay:fail']);
    expect(settled[0]).toBe(results[0]);
  });

  it('turns it back into a failure when the owner is not in the run, saying so, with a reproduction', () => {
    const results = [result('cross-instance-duplicates', 'inconclusive', 'failover-replay'), result('sequential-replay', 'pass')];
    const [stands] = settleOwnership(results, reproduce);
    expect(stands).toMatchObject({ verdict: 'fail', reproduce: ['curl -sS ...'] });
    expect(stands!.message).toBe('cross-instance-duplicates saw it (failover-replay did not fail on this endpoint in this run, so this failure stands)');
    // Pure: the input record is not changed.
    expect(results[0]!.verdict).toBe('inconclusive');
  });

  it('turns it back when the owner passed, skipped or errored, or failed only on another endpoint', () => {
    for (const verdict of ['pass', 'skip', 'error'] as const) {
      const settled = settleOwnership([result('x', 'inconclusive', 'owner'), result('owner', verdict)], reproduce);
      expect(settled[0]!.verdict, verdict).toBe('fail');
    }
    const elsewhere = settleOwnership([result('x', 'inconclusive', 'owner'), result('owner', 'fail', undefined, 'refund')], reproduce);
    expect(elsewhere[0]!.verdict).toBe('fail');
  });

  it('without a named owner, blames the baseline owner (sequential-replay)', () => {
    expect(ownerOf(result('payload-mismatch', 'inconclusive'))).toBe('sequential-replay');
    expect(verdicts(settleOwnership([result('payload-mismatch', 'inconclusive'), result('sequential-replay', 'fail')], reproduce))).toEqual([
      'payload-mismatch:inconclusive',
      'sequential-replay:fail',
    ]);
  });

  it('follows an owner chain: kept when it ends in a failure, and a broken chain fails once, at its end', () => {
    const chain = [
      result('cross-instance-duplicates', 'inconclusive', 'failover-replay'),
      result('failover-replay', 'inconclusive', 'sequential-replay'),
      result('sequential-replay', 'fail'),
    ];
    expect(verdicts(settleOwnership(chain, reproduce))).toEqual([
      'cross-instance-duplicates:inconclusive',
      'failover-replay:inconclusive',
      'sequential-replay:fail',
    ]);
    // The end of the chain did not fail: the result next to it stands, the one before follows it (in any order).
    const broken = chain.slice(0, 2);
    expect(verdicts(settleOwnership(broken, reproduce))).toEqual(['cross-instance-duplicates:inconclusive', 'failover-replay:fail']);
    expect(verdicts(settleOwnership([...broken].reverse(), reproduce))).toEqual(['failover-replay:fail', 'cross-instance-duplicates:inconclusive']);
  });

  it('an inconclusive result naming its root cause is covered only by an owner result about that root cause', () => {
    const deferred = {
      ...result('cross-instance-duplicates', 'inconclusive'),
      facts: { inconclusive: { owner: 'failover-replay', rootCause: 'execution-across-instances' } },
    };
    const about = (r: ResultRecord, rootCause: string): ResultRecord => ({ ...r, facts: { ...r.facts, rootCause } });
    // failover-replay failed only because a replay differed: nothing reports the second execution.
    const [stands] = settleOwnership([deferred, result('failover-replay', 'fail')], reproduce);
    expect(stands!.verdict).toBe('fail');
    expect(stands!.message).toContain(
      '(failover-replay did not fail on this root cause (execution-across-instances) on this endpoint in this run, so this failure stands)',
    );
    // It reported the second execution (beside the replay that differs): kept.
    const both = [deferred, result('failover-replay', 'fail'), about(result('failover-replay', 'fail'), 'execution-across-instances')];
    expect(verdicts(settleOwnership(both, reproduce))).toEqual(['cross-instance-duplicates:inconclusive', 'failover-replay:fail', 'failover-replay:fail']);
    // Chains: failover-replay's second execution deferred to sequential-replay keeps its root cause.
    const chain = [
      deferred,
      about(result('failover-replay', 'inconclusive', 'sequential-replay'), 'execution-across-instances'),
      result('sequential-replay', 'fail'),
    ];
    expect(verdicts(settleOwnership(chain, reproduce))).toEqual([
      'cross-instance-duplicates:inconclusive',
      'failover-replay:inconclusive',
      'sequential-replay:fail',
    ]);
    // An inconclusive owner about another root cause does not cover it either.
    const other = [deferred, result('failover-replay', 'inconclusive', 'sequential-replay'), result('sequential-replay', 'fail')];
    expect(settleOwnership(other, reproduce)[0]!.verdict).toBe('fail');
  });

  it('a cycle of owners never leaves the root cause unreported: one of them fails', () => {
    for (const cycle of [
      [result('a', 'inconclusive', 'b'), result('b', 'inconclusive', 'a')],
      [result('a', 'inconclusive', 'b'), result('b', 'inconclusive', 'c'), result('c', 'inconclusive', 'a')],
      [result('a', 'inconclusive', 'a')],
    ]) {
      const settled = settleOwnership(cycle, reproduce);
      expect(
        settled.filter((r) => r.verdict === 'fail'),
        verdicts(settled).join(),
      ).toHaveLength(1);
    }
  });
});
