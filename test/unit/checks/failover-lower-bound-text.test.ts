// A lower-bound count that already shows two executions says "at least 2 executions", not "answered with
// a different response" (which would misstate the evidence when the retry answered the same bytes).
import { describe, expect, it } from 'vitest';
import { executionsText } from '../../../src/checks/failover.js';
import { judgeFailoverReplay } from '../../../src/checks/failover-replay.js';
import { IETF_07 } from '../../../src/profiles/builtin.js';
import { ex, replayHeaders } from '../../helpers/exchange.js';

const instances = [
  { name: 'eu', baseUrl: 'http://127.0.0.1:1', ledgerUrl: 'http://127.0.0.1:1/l' },
  { name: 'us', baseUrl: 'http://127.0.0.1:2' },
];

describe('a lower-bound count of two executions', () => {
  it('is described by its count, not by a different answer that did not happen', () => {
    const count = { executions: 2, by: { ledger: 2 }, ids: [], ledgers: 'uncertain' as const };
    expect(executionsText(count)).not.toBe('answered with a different response');
    const body = { id: 'pay_1' };
    const [f] = judgeFailoverReplay(
      [
        {
          delayMs: 0,
          from: 'eu',
          to: 'us',
          original: ex({ status: 201, body }),
          retry: ex({ status: 201, body, headers: replayHeaders }),
          count,
        },
      ],
      instances,
      IETF_07,
    );
    expect(f!.verdict).toBe('fail');
    expect(f!.message).not.toContain('answered with a different response');
  });
});
