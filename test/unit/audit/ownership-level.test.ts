// An inconclusive violation is covered only by an owner failure at violation level: any failure of the
// owner (a deviation about another property, a missing replay header) would let `--fail-on violation`
// pass a run in which a key executed twice.
import { describe, expect, it } from 'vitest';
import { settleOwnership } from '../../../src/audit/ownership.js';
import { summarize, type ResultRecord } from '../../../src/report/model.js';

const late: ResultRecord = {
  check: 'cross-instance-duplicates',
  endpoint: 'create-payment',
  verdict: 'inconclusive',
  level: 'violation',
  // What judgeCrossInstanceDuplicates says for a late execution the probe does not pin on failover-replay:
  // no facts.inconclusive, so the owner is the default, sequential-replay, and no root cause is named.
  message: 'across instances eu, us: not judged (root cause owned by sequential-replay or expiry): 2 executions for 8 copies',
  reference: 'r',
  evidence: [],
  facts: { duplicateExecution: 'after-completion' },
};
const headerDeviation: ResultRecord = {
  check: 'sequential-replay',
  endpoint: 'create-payment',
  verdict: 'fail',
  level: 'deviation',
  message: 'the replay lacks the Location header of the original',
  reference: 'r',
  evidence: [],
};
const noReExecution: ResultRecord = { ...headerDeviation, verdict: 'pass', level: 'violation', message: 'the retry replayed, one execution' };

describe('ownership: the owner must report the root cause at the same seriousness', () => {
  it('a deviation of the owner does not cover an inconclusive violation', () => {
    const settled = settleOwnership([late, noReExecution, headerDeviation], () => []);
    expect(settled[0]!.verdict).toBe('fail');
    expect(summarize(settled, 'violation').verdict).toBe('fail');
  });
});
