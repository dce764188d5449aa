// The split burst under a lower-bound count (an instance whose executions no ledger shows): two fresh
// successes with different bodies for one key are a second execution, as without any oracle.
import { describe, expect, it } from 'vitest';
import { judgeCrossInstanceDuplicates } from '../../../src/checks/cross-instance-duplicates.js';
import { withLedgerMode } from '../../../src/checks/ledger-calibration.js';
import { IETF_07 } from '../../../src/profiles/builtin.js';
import { ex } from '../../helpers/exchange.js';

const instances = [
  { name: 'eu', baseUrl: 'http://127.0.0.1:1', ledgerUrl: 'http://127.0.0.1:1/l' },
  { name: 'us', baseUrl: 'http://127.0.0.1:2' },
];

describe('a split burst under a lower-bound count', () => {
  it('two successes with different bodies for one key are a second execution, not an unproven pass', () => {
    const round = {
      key: 'k',
      exchanges: [ex({ status: 201, body: { id: 'pay_1' }, label: 'copy 1/2 via eu' }), ex({ status: 201, body: { id: 'pay_2' }, label: 'copy 2/2 via us' })],
      count: { executions: 1, by: { ledger: 1 }, ids: [], ledgers: 'uncertain' as const },
    };
    const calibration = { mode: 'uncertain' as const, plan: { urls: ['http://127.0.0.1:1/l'], groups: [[0]], unseen: ['us'] }, why: 'no ledger showed us' };
    const judged = withLedgerMode(judgeCrossInstanceDuplicates([round], instances, IETF_07), calibration);
    expect(judged.some((f) => f.verdict === 'fail' && f.level === 'violation')).toBe(true);
  });
});
