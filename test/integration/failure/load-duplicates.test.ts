// 10,000 POSTs at concurrency 100 with 30% duplicate keys against the reference server on the shared
// Redis (unique prefix): every distinct key executes exactly once (ledger), whatever mix of
// in-flight conflicts (409) and replays (201 with Idempotent-Replayed) the duplicates meet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../../src/demo/index.js';
import { createRedisStore, type RedisStore } from '../../../src/reference/store/redis/index.js';
import { keysWithDuplicates, rng, runLoad } from '../../helpers/load.js';
import { SHARED_REDIS_URL, deleteKeysByPrefix, requireRedis, uniquePrefix } from '../../helpers/redis.js';

const TOTAL = 10_000;
const CONCURRENCY = 100;
const DUPLICATE_RATIO = 0.3;
const SEED = 0x1de4;
// The work is bounded by its count (TOTAL requests, every one sent), never by a deadline: the same
// 10,000 requests take a few seconds on an idle machine and several times that beside CPU-bound
// neighbours. The test timeout only guards against a hang; speed is reported, not judged.
const TEST_TIMEOUT_MS = 240_000;
/** Per request; the server answers in ms when idle, a loaded machine can stall one for seconds. */
const REQUEST_TIMEOUT_MS = 60_000;

let store: RedisStore;
let server: ReferenceServer;

beforeAll(async () => {
  await requireRedis();
  store = createRedisStore({ url: SHARED_REDIS_URL, prefix: uniquePrefix('failure-load') });
  // A few ms of work keeps originals in flight long enough for some duplicates to meet them (409).
  server = await startReferenceServer({ admin: true, store, processingMs: 5 });
});

afterAll(async () => {
  await server?.close();
  if (store) {
    await deleteKeysByPrefix(store.client, store.prefix);
    await store.close();
  }
});

describe('10,000 requests, concurrency 100, 30% duplicate keys, Redis store', () => {
  it('executes every distinct key exactly once', { timeout: TEST_TIMEOUT_MS }, async () => {
    const keys = keysWithDuplicates(TOTAL, DUPLICATE_RATIO, `load-${process.pid}`, rng(SEED));
    const distinct = new Set(keys);
    expect(keys).toHaveLength(TOTAL);
    expect(distinct.size).toBe(TOTAL - Math.round(TOTAL * DUPLICATE_RATIO));

    const run = await runLoad({
      origin: server.url,
      requests: keys.map((key) => ({ key })),
      concurrency: CONCURRENCY,
      timeoutMs: Number.POSITIVE_INFINITY,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    expect(run.notSent).toBe(0);
    expect(run.results).toHaveLength(TOTAL);

    const byStatus = new Map<number, number>();
    for (const result of run.results) byStatus.set(result.status, (byStatus.get(result.status) ?? 0) + 1);
    const errors = run.results.filter((r) => r.status !== 201 && r.status !== 409).slice(0, 5);
    expect(errors, 'only 201 (new or replay) and 409 (in flight) are expected').toEqual([]);

    // The oracle: the server's ledger, one entry per execution of the side effect.
    const summary = server.ledger.summary();
    expect(summary.duplicates).toEqual([]);
    expect(summary.keys).toBe(distinct.size);
    expect(summary.total).toBe(distinct.size);
    for (const key of distinct) expect(server.ledger.forKey(key).executions).toHaveLength(1);

    // Every 201 for a key names the resource of its one execution; replays are marked.
    const idOf = new Map<string, string>();
    for (const key of distinct) idOf.set(key, server.ledger.forKey(key).executions[0]!.id);
    let replays = 0;
    let fresh = 0;
    for (const result of run.results) {
      if (result.status !== 201) continue;
      expect(result.id).toBe(idOf.get(result.key));
      if (result.replayed) replays++;
      else fresh++;
    }
    expect(fresh).toBe(distinct.size);
    const conflicts = byStatus.get(409) ?? 0;
    expect(replays + conflicts).toBe(TOTAL - distinct.size);

    console.info(
      `[load-duplicates] ${TOTAL} requests in ${run.elapsedMs.toFixed(0)} ms (${((TOTAL / run.elapsedMs) * 1000).toFixed(0)} req/s): ` +
        `${fresh} executions for ${distinct.size} keys, ${replays} replays, ${conflicts} in-flight 409s`,
    );
  });
});
