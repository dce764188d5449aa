// A late extra execution across three instances (each arrived after the previous had completed), and
// the failover probe shows a sequential retry executing again on one of them (eu->us executed, eu->ap
// replayed): the probe proved a second execution across instances, so the result defers to
// failover-replay, never to sequential-replay (the default owner, which only talks to the first target).
import { describe, expect, it } from 'vitest';
import { judgeCrossInstanceDuplicates } from '../../../src/checks/cross-instance-duplicates.js';
import type { BurstRound } from '../../../src/checks/concurrent-duplicates.js';
import type { FailoverRound } from '../../../src/checks/failover.js';
import { ownerOf } from '../../../src/core/verdict.js';
import { IETF_07 } from '../../../src/profiles/builtin.js';
import { ex, replayHeaders } from '../../helpers/exchange.js';

const instances = ['eu', 'us', 'ap'].map((name, i) => ({ name, baseUrl: `http://127.0.0.1:${i + 1}`, ledgerUrl: `http://127.0.0.1:${i + 1}/l` }));
const body = { id: 'pay_1' };
const count = (n: number) => ({ executions: n, by: { ledger: n }, ids: [] });
const late: BurstRound = {
  key: 'k',
  exchanges: [
    ex({ status: 201, body, label: 'copy 1/3 via eu' }),
    ex({ status: 201, body: { id: 'pay_2' }, label: 'copy 2/3 via us' }),
    ex({ status: 409, label: 'copy 3/3 via ap' }),
  ],
  count: {
    ...count(2),
    timeline: [
      { receivedAt: 0, executedAt: 5 },
      { receivedAt: 9, executedAt: 12 },
    ],
  },
};
const probe = (to: string, executions: number, retryBody: unknown): FailoverRound => ({
  delayMs: 0,
  from: 'eu',
  to,
  original: ex({ status: 201, body, label: 'failover probe: commit via eu' }),
  retry: ex({ status: 201, body: retryBody, headers: executions === 1 ? replayHeaders : {}, label: `failover probe: retry via ${to} after 0 ms` }),
  count: count(executions),
});

describe('cross-instance late execution with a probe that executed again', () => {
  it('is not deferred to sequential-replay when a probe proved an execution across instances', () => {
    const [f] = judgeCrossInstanceDuplicates([late], instances, IETF_07, [probe('us', 2, { id: 'pay_3' }), probe('ap', 1, body)]);
    // Either its own failure, or deferred to failover-replay naming the root cause; never to sequential-replay.
    if (f!.verdict === 'inconclusive') expect(ownerOf(f!)).toBe('failover-replay');
    else expect(f!.verdict).toBe('fail');
  });
});
