// A scenario ledger of another shape than the reference one: one document keyed by idempotency key,
// at a URL with {{key}} in it, read with a templated `ledgerCount` pointer (issue 12). A ledger that
// points nowhere must turn the passes that relied on it into errors.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/audit/run.js';
import { startReferenceServer } from '../../../src/demo/index.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';

let reference: Awaited<ReturnType<typeof startReferenceServer>>;
let shim: Server;
let shimUrl: string;

beforeAll(async () => {
  reference = await startReferenceServer({ admin: true, port: 0, flaws: ['race'] });
  // GET /by-key/<key> -> {"byKey": {"<key>": [..executions..]}}, from the reference ledger.
  shim = createServer((req, res) => {
    const key = decodeURIComponent((req.url ?? '').replace(/^\/by-key\//, ''));
    fetch(`${reference.url}/_idemaudit/ledger?key=${encodeURIComponent(key)}`)
      .then((r) => r.json())
      .then(
        (doc: { executions?: unknown[] }) => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ byKey: { [key]: doc.executions ?? [] } }));
        },
        () => res.writeHead(500).end(),
      );
  });
  await new Promise<void>((resolve) => shim.listen(0, '127.0.0.1', resolve));
  const address = shim.address() as { port: number };
  shimUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await new Promise((resolve) => shim.close(resolve));
  await reference.close();
});

async function audit(ledgerCount: string) {
  const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
  scenario.endpoints = scenario.endpoints.slice(0, 1);
  for (const e of scenario.endpoints) delete e.identity;
  scenario.ledger = `${shimUrl}/by-key/{{key}}`;
  scenario.ledgerCount = ledgerCount;
  scenario.checks['concurrent-duplicates'] = { copies: 8, rounds: 1, budgetMs: 0 };
  return runAudit(scenario, { target: reference.url, seed: 'ledger-shape', only: ['concurrent-duplicates', 'sequential-replay'] });
}

describe('a ledger keyed by idempotency key', () => {
  it('counts executions through {{key}} in the URL and in the pointer', async () => {
    const report = await audit('/byKey/{{key}}');
    const race = report.results.find((r) => r.check === 'concurrent-duplicates' && r.verdict === 'fail');
    expect(race, JSON.stringify(report.results.map((r) => [r.check, r.verdict, r.message]))).toBeDefined();
    expect(race!.facts!.oracles).toMatchObject({ ledger: expect.any(Number) });
    expect(report.results.find((r) => r.check === 'sequential-replay')).toMatchObject({
      verdict: 'pass',
      message: expect.stringContaining('1 execution(s) counted by ledger'),
    });
  });

  it('a pointer that finds nothing is an error, never a pass or a quiet skip', async () => {
    const report = await audit('/wrong/{{key}}');
    // Without identity, the race is invisible to every other oracle: the result must say the ledger missed.
    const burst = report.results.find((r) => r.check === 'concurrent-duplicates')!;
    expect(burst.verdict, JSON.stringify(report.results.map((r) => [r.check, r.verdict, r.message]))).toBe('error');
    expect(burst.message).toContain('the ledger counted 0 executions although 8 request(s) for the key succeeded');
  });
});
