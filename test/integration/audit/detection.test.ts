// The audit's own correctness: each flaw of the reference server is caught by the check that
// targets it, at the level the catalogue promises, and the correct server raises no false alarm.
// Audits run side by side (each against its own server) so the waits of `expiry` overlap.
import { describe, it } from 'vitest';
import { CHECK_IDS } from '../../../src/checks/index.js';
import { runAudit } from '../../../src/engine/run.js';
import { createRedisStore, startReferenceServer, type IdempotencyStore } from '../../../src/reference/index.js';
import { deleteKeysByPrefix, uniquePrefix } from '../../helpers/redis.js';
import type { Report } from '../../../src/report/model.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';

type StoreKind = 'memory' | 'redis';

/** A store for one audit; Redis stores get their own prefix and delete what they wrote. */
function makeStore(kind: StoreKind): { store?: IdempotencyStore; cleanup(): Promise<void> } {
  if (kind === 'memory') return { cleanup: async () => {} };
  const prefix = uniquePrefix('detect');
  const store = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
  return {
    store,
    cleanup: async () => {
      await deleteKeysByPrefix(store.client, prefix);
      await store.close();
    },
  };
}

async function audit(flaws: string[], seed = 'detect', kind: StoreKind = 'memory'): Promise<Report> {
  const { store, cleanup } = makeStore(kind);
  const server = await startReferenceServer({ port: 0, flaws, ...(store ? { store } : {}) });
  try {
    const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
    return await runAudit(scenario, { target: server.url, seed, scenarioFile: 'scenarios/reference.yaml' });
  } finally {
    await server.close();
    await cleanup();
  }
}

/** reference.yaml runs every check except the chaos and load ones, which have their own scenarios. */
const NOT_IN_REFERENCE = new Set(['timeout-retry', 'lost-response', 'gateway-duplicate', 'in-flight-recovery', 'store-outage', 'load']);
const REFERENCE_CHECKS = new Set(CHECK_IDS.filter((id) => !NOT_IN_REFERENCE.has(id)));

/** Only `expiry`, with a test retention declared on create-payment; the server keeps results `retentionMs`. */
async function expiryAudit(retentionMs: number | undefined, testRetention: number): Promise<Report> {
  const server = await startReferenceServer({ port: 0, ...(retentionMs !== undefined ? { retentionMs } : {}) });
  try {
    const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
    scenario.endpoints[0]!.policy.testRetention = testRetention;
    scenario.checks.expiry = { waitMs: 300, marginMs: 400 };
    return await runAudit(scenario, { target: server.url, seed: 'expiry', only: ['expiry'] });
  } finally {
    await server.close();
  }
}

const failed = (r: Report) => r.results.filter((x) => x.verdict === 'fail' || x.verdict === 'error');
const describeFailed = (r: Report) => JSON.stringify(failed(r).map((x) => [x.check, x.endpoint, x.level, x.message]));

describe('detection matrix (memory store)', () => {
  it.concurrent('the correct server passes ten consecutive audits (two lanes of five seeds) with zero failed results', async ({ expect }) => {
    const lanes = [['a', 'b', 'c', 'd', 'e'], ['f', 'g', 'h', 'i', 'j']];
    await Promise.all(lanes.map(async (seeds) => {
      for (const seed of seeds) {
        const report = await audit([], seed);
        expect(failed(report), `seed ${seed}: ${describeFailed(report)}`).toEqual([]);
        expect(report.summary.verdict).toBe('pass');
        expect(new Set(report.results.map((r) => r.check))).toEqual(REFERENCE_CHECKS);
      }
    }));
  }, 60_000);

  const matrix: Array<[flaw: string, check: string, level: 'violation' | 'deviation']> = [
    ['race', 'concurrent-duplicates', 'violation'],
    ['no-inflight', 'concurrent-duplicates', 'violation'],
    ['no-fingerprint', 'payload-mismatch', 'violation'],
    ['poison', 'payload-mismatch', 'violation'],
    ['poison', 'fingerprint', 'violation'],
    ['poison', 'cross-endpoint', 'violation'],
    ['no-tenant-scope', 'cross-tenant', 'violation'],
    ['no-key-required', 'missing-key', 'violation'],
    ['regenerate', 'sequential-replay', 'violation'],
    ['header-drop', 'sequential-replay', 'deviation'],
    ['short-ttl', 'expiry', 'deviation'],
    ['cache-5xx', 'error-replay', 'deviation'],
  ];

  it.concurrent('expiry: a key replays inside the declared test retention and runs afresh after it', async ({ expect }) => {
    const report = await expiryAudit(1000, 1000);
    const results = report.results.filter((r) => r.endpoint === 'create-payment');
    expect(results.map((r) => [r.verdict, r.message])).toEqual([
      ['pass', expect.stringContaining('still replayed at +')],
      ['pass', expect.stringContaining('executed afresh at +')],
    ]);
    expect(results[0]!.facts).toMatchObject({ testRetentionMs: 1000, before: 'replay', after: 'executed' });
  });

  it.concurrent('expiry: a key still replayed past the declared test retention is a deviation', async ({ expect }) => {
    const report = await expiryAudit(undefined, 1000);
    const hit = report.results.find((r) => r.check === 'expiry' && r.verdict === 'fail');
    expect(hit, describeFailed(report)).toMatchObject({ level: 'deviation', message: expect.stringContaining('outlives its retention') });
  });

  it.concurrent.for(matrix)('flaw %s is caught by %s as a %s', async ([flaw, check, level], { expect }) => {
    const report = await audit([flaw]);
    expect(report.summary.verdict).toBe('fail');
    const hit = report.results.find((r) => r.check === check && r.verdict === 'fail' && r.level === level);
    expect(hit, describeFailed(report)).toBeDefined();
    expect(hit!.evidence.length).toBeGreaterThan(0);
  });

  describe('the same matrix with the Redis store', () => {
    it.concurrent('the correct server passes three consecutive audits with zero failed results', async ({ expect }) => {
      for (const seed of ['ra', 'rb', 'rc']) {
        const report = await audit([], seed, 'redis');
        expect(failed(report), `seed ${seed}: ${describeFailed(report)}`).toEqual([]);
      }
    }, 60_000);

    it.concurrent.for(matrix)('flaw %s is caught by %s as a %s', async ([flaw, check, level], { expect }) => {
      const report = await audit([flaw], 'detect', 'redis');
      const hit = report.results.find((r) => r.check === check && r.verdict === 'fail' && r.level === level);
      expect(hit, describeFailed(report)).toBeDefined();
    });
  });
});
