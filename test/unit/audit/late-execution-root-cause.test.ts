// A late extra execution (each arrived after the previous had completed) names its root cause, so only
// sequential-replay's own "executed again" covers it: a sequential-replay failure on a re-rendered body
// (one execution) must not hide that the key ran twice.
import { describe, expect, it } from 'vitest';
import { settleOwnership } from '../../../src/audit/ownership.js';
import { judgeConcurrentDuplicates, type BurstRound } from '../../../src/checks/concurrent-duplicates.js';
import { judgeCrossInstanceDuplicates } from '../../../src/checks/cross-instance-duplicates.js';
import { IETF_07 } from '../../../src/profiles/builtin.js';
import type { ResultRecord } from '../../../src/report/model.js';
import { ex } from '../../helpers/exchange.js';

const late: BurstRound = {
  key: 'k',
  exchanges: [ex({ status: 201, body: { id: 'pay_1' }, label: 'copy 1/2 via eu' }), ex({ status: 201, body: { id: 'pay_2' }, label: 'copy 2/2 via us' })],
  count: {
    executions: 2,
    by: { ledger: 2 },
    ids: [],
    timeline: [
      { receivedAt: 0, executedAt: 5 },
      { receivedAt: 9, executedAt: 12 },
    ],
  },
};
const instances = [
  { name: 'eu', baseUrl: 'http://127.0.0.1:1', ledgerUrl: 'http://127.0.0.1:1/l' },
  { name: 'us', baseUrl: 'http://127.0.0.1:2', ledgerUrl: 'http://127.0.0.1:2/l' },
];
const record = (
  check: string,
  f: { verdict: ResultRecord['verdict']; level: ResultRecord['level']; message: string; facts?: Record<string, unknown> },
): ResultRecord => ({
  check,
  endpoint: 'create-payment',
  verdict: f.verdict,
  level: f.level,
  message: f.message,
  reference: 'r',
  evidence: [],
  ...(f.facts ? { facts: f.facts } : {}),
});
// sequential-replay failed at violation level, but on a re-rendered body: one execution, no second.
const bodyDiffers = record('sequential-replay', {
  verdict: 'fail',
  level: 'violation',
  message: 'replay body differs from the original response',
  facts: { executions: 1 },
});

describe('a late extra execution and an owner failure about another root cause', () => {
  it('cross-instance-duplicates: not covered by sequential-replay failing on a body that differs', () => {
    const [f] = judgeCrossInstanceDuplicates([late], instances, IETF_07, []);
    expect(f!.verdict).toBe('inconclusive');
    const [settled] = settleOwnership([record('cross-instance-duplicates', f!), bodyDiffers], () => []);
    expect(settled!.verdict).toBe('fail');
  });

  it('concurrent-duplicates: the same', () => {
    const [f] = judgeConcurrentDuplicates([late], IETF_07);
    expect(f!.verdict).toBe('inconclusive');
    const [settled] = settleOwnership([record('concurrent-duplicates', f!), bodyDiffers], () => []);
    expect(settled!.verdict).toBe('fail');
  });
});
