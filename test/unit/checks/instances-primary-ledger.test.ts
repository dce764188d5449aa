// Instances without any ledger beside a primary target that has one (a load balancer in front, another
// spelling of a host): the instance checks' counts never fall back to the primary's ledger, which sees
// only its own executions (an exact count of 1 for a key that also ran on `us` would be a false pass).
import { describe, expect, it } from 'vitest';
import { calibrateLedgers, withLedgerMode } from '../../../src/checks/ledger-calibration.js';
import { finding, type CheckContext, type TargetInstance } from '../../../src/checks/api.js';
import { ExecutionOracle } from '../../../src/engine/oracle.js';
import type { AuditClient } from '../../../src/engine/client.js';
import type { RequestFactory } from '../../../src/engine/requests.js';
import type { Scenario } from '../../../src/scenario/schema.js';
import { ex } from '../../helpers/exchange.js';

// Two instances without a ledger; the primary (http://127.0.0.1:4000, not among them) has one.
const instances: TargetInstance[] = [
  { name: 'eu', baseUrl: 'http://127.0.0.1:4001' },
  { name: 'us', baseUrl: 'http://127.0.0.1:4002' },
];
const endpoint = { name: 'pay', method: 'POST', path: '/pay' } as never;

describe('instances without any ledger beside a primary that has one', () => {
  it('a count over the instances is not taken from the primary ledger as exact', async () => {
    const ledgerReads: string[] = [];
    // The primary's ledger saw the execution through eu only (1); us executed too, on its own store.
    const client = {
      send: async (req: { url: string }) => {
        ledgerReads.push(req.url);
        return ex({ status: 200, body: { executions: 1 } });
      },
    } as unknown as AuditClient;
    const oracle = new ExecutionOracle({ endpoints: [] } as unknown as Scenario, client, {} as RequestFactory, () => 'http://127.0.0.1:4000/_idemaudit/ledger');
    const ctx = { signal: new AbortController().signal, oracle } as unknown as CheckContext<unknown>;
    const calibration = await calibrateLedgers(ctx, instances);
    const burst = [ex({ status: 201, body: { id: 'a' }, label: 'copy 1/2 via eu' }), ex({ status: 201, body: { id: 'b' }, label: 'copy 2/2 via us' })];
    const count = await oracle.count(endpoint, 'k', burst, undefined, calibration.plan);
    const pass = finding('pass', 'violation', 'key executed once across instances eu, us', 'r', []);
    const judged = withLedgerMode([pass], calibration)[0]!;
    // Either the primary's ledger is not read for an instance count, or the count is a lower bound and the pass is not a pass.
    const exactFromPrimary = count.by.ledger !== undefined && count.ledgers !== 'uncertain';
    expect({ exactFromPrimary, verdict: exactFromPrimary ? judged.verdict : 'n/a', reads: ledgerReads }).toEqual({
      exactFromPrimary: false,
      verdict: 'n/a',
      reads: expect.any(Array),
    });
  });
});
