// A race window of a millisecond or less is caught reliably: the racy server with 1 ms of work
// between its check and its set, audited by a sweep of last-byte bursts.
import { afterAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/index.js';
import { MemoryStore, createRedisStore } from '../../../src/reference/index.js';
import { startReferenceServer } from '../../../src/demo/index.js';
import { parseScenario } from '../../../src/scenario/index.js';
import { deleteKeysByPrefix, uniquePrefix } from '../../helpers/redis.js';

const scenario = (copies: string) =>
  parseScenario(
    `
version: 1
name: race-window
target: self
defaults: { headers: { content-type: application/json } }
endpoints:
  - { name: pay, path: /payments, body: { amount: 5, currency: EUR }, identity: /id }
checks:
  # budgetMs 0: exactly the planned bursts (the sweep table below counts them); the adaptive hunt would add bursts to it.
  concurrent-duplicates: { copies: ${copies}, rounds: 4, budgetMs: 0 }
`,
    'race-window.yaml',
    {},
  );

const servers: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('last-byte bursts', () => {
  // With 0 ms of work and the memory store, check and set run in one event-loop turn: no window at
  // all in a single-threaded server. The Redis store's round trip is a real sub-millisecond window.
  it.each([
    ['1 ms of work, memory store', 1, () => new MemoryStore()],
    ['a Redis round trip (sub-millisecond), no work', 0, () => createRedisStore({ url: 'redis://127.0.0.1:6379', prefix: uniquePrefix('race-window') })],
  ] as const)('catch a race whose window is %s, in every audit', async (_label, processingMs, makeStore) => {
    const store = makeStore();
    const server = await startReferenceServer({ admin: true, port: 0, flaws: ['race'], processingMs, store });
    servers.push({
      close: async () => {
        await server.close();
        // Delete what this test wrote to the shared Redis, and nothing else.
        if ('client' in store) await deleteKeysByPrefix(store.client, store.prefix);
        await store.close();
      },
    });
    servers.push(server);
    for (const seed of ['w1', 'w2', 'w3']) {
      const report = await runAudit(scenario('[2, 8, 32]'), { target: server.url, seed });
      const fail = report.results.find((r) => r.verdict === 'fail' && r.level === 'violation');
      expect(fail, JSON.stringify(report.results.map((r) => r.message))).toBeDefined();
    }
  });

  it('reports the arrival spread and the distribution per burst size against the correct server', async () => {
    const server = await startReferenceServer({ admin: true, port: 0, processingMs: 0 });
    servers.push(server);
    const report = await runAudit(scenario('[2, 8]'), { target: server.url, seed: 'spread' });
    const [result] = report.results;
    expect(result).toMatchObject({ verdict: 'pass' });
    const sweep = result!.facts!.sweep as Array<{ copies: number; rounds: number; executions: Record<string, number>; maxArrivalSpreadMs: number }>;
    expect(sweep.map((r) => [r.copies, r.rounds, r.executions])).toEqual([
      [2, 4, { 1: 4 }],
      [8, 4, { 1: 4 }],
    ]);
    expect(sweep).toHaveLength(2);
    // The server saw every burst's copies finish arriving within a bounded window (generous for a
    // loaded 2-core CI machine; without the settle pause it measured 10-130 ms).
    for (const row of sweep) {
      expect(row.maxArrivalSpreadMs).toBeGreaterThan(0);
      expect(row.maxArrivalSpreadMs).toBeLessThan(100);
    }
  });
});
