// Under a lower-bound count (an instance no ledger shows), a different answer is a second execution only
// by inference: it presumes replays answer the stored bytes, so when the baseline shows an identical
// retry on one instance re-rendered, the finding defers to sequential-replay as with an exact count;
// and a refusal (503) from the other instance is never read as a second execution.
import { describe, expect, it } from 'vitest';
import { judgeFailoverReplay } from '../../../src/checks/failover-replay.js';
import type { FailoverRound } from '../../../src/checks/failover.js';
import { assessBaseline, attribute } from '../../../src/checks/baseline.js';
import type { ExecutionCount } from '../../../src/engine/oracle.js';
import { IETF_07 } from '../../../src/profiles/builtin.js';
import { ex, replayHeaders } from '../../helpers/exchange.js';

const instances = [
  { name: 'eu', baseUrl: 'http://127.0.0.1:1', ledgerUrl: 'http://127.0.0.1:1/_idemaudit/ledger' },
  { name: 'us', baseUrl: 'http://127.0.0.1:2' },
];
const endpoint = { name: 'create-payment', method: 'POST', path: '/payments' } as never;
const exact: ExecutionCount = { executions: 1, by: { ledger: 1 }, ids: [], ledgers: 'shared' };
const lowerBound: ExecutionCount = { executions: 1, by: { ledger: 1 }, ids: [], ledgers: 'uncertain' };

// Every replay re-rendered (renderedAt changes), on every instance; one execution in fact.
const rerendered = (count: ExecutionCount): FailoverRound => ({
  delayMs: 0,
  from: 'eu',
  to: 'us',
  original: ex({ status: 201, body: { id: 'pay_1', renderedAt: 1 }, label: 'commit via eu' }),
  retry: ex({ status: 201, body: { id: 'pay_1', renderedAt: 2 }, headers: replayHeaders, label: 'retry via us after 0 ms' }),
  count,
});
// The baseline on the first instance: an identical retry already answered other bytes, one execution.
const baseline = assessBaseline(
  ex({ status: 201, body: { id: 'pay_9', renderedAt: 1 } }),
  ex({ status: 201, body: { id: 'pay_9', renderedAt: 2 }, headers: replayHeaders }),
  { executions: 1, by: { ledger: 1 }, ids: [] },
  endpoint,
);

describe('a re-rendered replay under a lower-bound count', () => {
  it('control: with an exact count it defers to sequential-replay', () => {
    const judged = attribute(judgeFailoverReplay([rerendered(exact)], instances, IETF_07), baseline, 'failover-replay');
    expect(judged.map((f) => f.verdict)).toEqual(['inconclusive']);
  });

  it('with a lower-bound count it defers too: the baseline shows every replay answers other bytes', () => {
    const judged = attribute(judgeFailoverReplay([rerendered(lowerBound)], instances, IETF_07), baseline, 'failover-replay');
    expect(judged.filter((f) => f.verdict === 'fail').map((f) => f.message)).toEqual([]);
  });
});

describe('a refused retry under a lower-bound count', () => {
  it('a 503 from the other instance is not a second execution across instances', () => {
    const refused: FailoverRound = { ...rerendered(lowerBound), retry: ex({ status: 503, body: { error: 'unavailable' }, label: 'retry via us after 0 ms' }) };
    const findings = judgeFailoverReplay([refused], instances, IETF_07);
    expect(findings.filter((f) => f.facts?.rootCause === 'execution-across-instances')).toEqual([]);
  });
});
