// An instance without a ledger (a `serve` without --admin, a ledger that was not detected) beside one
// with a ledger: one calibration request goes through it. When no ledger shows that execution, its
// executions are invisible, every count is a lower bound (`uncertain`, never `shared`), and a pass on
// it becomes an error; when a ledger shows it (it writes to a shared ledger), the count stands.
import { describe, expect, it } from 'vitest';
import { calibrateLedgers, withLedgerMode } from '../../../src/checks/ledger-calibration.js';
import { finding, type CheckContext, type TargetInstance } from '../../../src/checks/api.js';
import type { LedgerReading } from '../../../src/engine/ledger-merge.js';
import { ex } from '../../helpers/exchange.js';

const instances: TargetInstance[] = [
  { name: 'eu', baseUrl: 'http://127.0.0.1:4000', ledgerUrl: 'http://127.0.0.1:4000/_idemaudit/ledger' },
  { name: 'us', baseUrl: 'http://127.0.0.1:4001' },
];

/** Just what calibrateLedgers uses: fresh keys, one request (answered `status`), and the ledgers' readings. */
function context(status: number, reading: LedgerReading | undefined) {
  const sent: string[] = [];
  let n = 0;
  const ctx = {
    signal: new AbortController().signal,
    endpoint: { name: 'pay', method: 'POST', path: '/pay' },
    keys: { next: () => `k-${++n}` },
    requests: { build: ({ key }: { key: string }) => ({ method: 'POST', url: 'http://127.0.0.1:4000/pay', headers: { 'idempotency-key': key } }) },
    http: {
      send: async (req: { url: string }, meta: { label: string; key?: string }) => {
        sent.push(`${req.url} ${meta.label}`);
        return ex({ status, body: { ok: true }, label: meta.label, key: meta.key ?? '' });
      },
    },
    oracle: { readLedgers: async (_e: unknown, _k: string, urls: string[]) => ({ readings: urls.map(() => reading), failures: [] }) },
    scenario: {},
    instances: { primary: 'http://127.0.0.1:4000' },
  } as unknown as CheckContext<unknown>;
  return { ctx, sent };
}

const pass = finding('pass', 'violation', 'no duplicate execution in 5 bursts of 8 copies', 'r', []);

describe('ledger calibration with an instance that has no ledger', () => {
  it('no ledger shows its execution: uncertain (not shared), a lower bound, and a pass becomes an error', async () => {
    const { ctx, sent } = context(201, { n: 0 });
    const calibration = await calibrateLedgers(ctx, instances);
    expect(sent).toEqual(['http://127.0.0.1:4001/pay ledger calibration via us (no ledger of its own)']);
    expect(calibration).toMatchObject({ mode: 'uncertain', plan: { unseen: ['us'] } });
    expect(calibration.why).toMatch(/no ledger showed the calibration request sent through us/);
    const [judged] = withLedgerMode([pass], calibration);
    expect(judged!.verdict).toBe('error');
    expect(judged!.message).toMatch(/^not every instance's executions can be counted .*a pass is unproven/);
    expect(judged!.facts).toMatchObject({ ledgers: 'uncertain', unledgeredCalibration: [{ via: 'us', answered: '201', readings: { eu: 0 } }] });
  });

  it('a refused or unread calibration request proves nothing either', async () => {
    for (const [status, reading] of [
      [503, { n: 1 }],
      [201, undefined],
    ] as const) {
      const calibration = await calibrateLedgers(context(status, reading).ctx, instances);
      expect(calibration.mode, `${status} ${JSON.stringify(reading)}`).toBe('uncertain');
    }
  });

  it('a shared ledger shows its execution: shared, and a pass stands', async () => {
    const calibration = await calibrateLedgers(context(201, { n: 1 }).ctx, instances);
    expect(calibration.mode).toBe('shared');
    expect(calibration.plan.unseen).toBeUndefined();
    expect(withLedgerMode([pass], calibration)[0]!.verdict).toBe('pass');
  });

  it('every instance with a ledger of its own: no extra request', async () => {
    const { ctx, sent } = context(201, { n: 1 });
    const calibration = await calibrateLedgers(ctx, [instances[0]!, { ...instances[1]!, ledgerUrl: instances[0]!.ledgerUrl! }]);
    expect(calibration.mode).toBe('shared');
    expect(sent).toEqual([]);
  });
});
