// Redis killed (SIGKILL) in the middle of concurrent keyed traffic, then restarted on the same port.
//
// Setup: our own throwaway redis-server with AOF and appendfsync always (a Redis deployed for
// idempotency keys must not forget them on restart: one without persistence comes back empty, and
// a retry of a key completed before the crash would then run again; that is a deployment
// requirement, not something the layer can fix). The reference server runs in this process on it,
// so its ledger (one entry per execution of the side effect) is the oracle.
//
// Traffic: 300 POSTs at concurrency 20 in three segments of 100 keys with duplicates:
//   A  before the crash (fresh keys and repeats);
//   B  sent while Redis dies and stays down (fresh keys and repeats of A keys);
//   C  held back until Redis is back and a probe got a 201 (fresh keys, repeats of A and B keys).
// Redis is killed when 100 answers have arrived, so segment B requests are in flight at that moment.
//
// Oracles:
//   - per key, executions (ledger) <= 1, and == the number of non-replayed 201s the clients got:
//     so no 503 (or 409) ever ran the handler, and no replay did either;
//   - every 201 of a key carries the id of its one execution (replays survive the restart via AOF);
//   - every 503 is problem+json with Retry-After; every request that started after Redis was dead
//     and finished before it was restarted got 503;
//   - after the restart: no 503, only 201 (new or replayed) or 409 (a claim persisted in flight at
//     the crash keeps its key until its lease expires).
//
// A request whose handler ran but whose complete() failed in the outage still answers 201 at once;
// the layer then retries complete() in the background (with the lease heartbeat) while the claim can
// be held (test/unit/reference/layer-lease.test.ts covers those decisions). Here Redis comes back
// from its AOF with the claim, so the retried complete can still land.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../../src/demo/index.js';
import { createRedisStore, type RedisStore } from '../../../src/reference/store/redis/index.js';
import { rng, runLoad, type LoadRequest, type LoadResult } from '../../helpers/load.js';
import { sleep, startRedisServer, uniquePrefix, type RedisServer } from '../../helpers/redis.js';

const SEGMENT = 100;
const CONCURRENCY = 20;
const PROCESSING_MS = 20;
/** Redis stays down until segment B is answered (bounded by MAX_OUTAGE_MS) and at least MIN_OUTAGE_MS. */
const MIN_OUTAGE_MS = 500;
const MAX_OUTAGE_MS = 3_000;
const RECOVERY_PROBES = 60;

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** Segment `label` of `size` requests: fresh keys, plus repeats of its own keys and of `earlier` keys. */
function segment(label: string, size: number, earlier: readonly string[], random: () => number): string[] {
  const keys: string[] = [];
  const own: string[] = [];
  for (let i = 0; i < size; i++) {
    const roll = random();
    if (roll < 0.2 && own.length > 0) keys.push(own[Math.floor(random() * own.length)]!);
    else if (roll < 0.4 && earlier.length > 0) keys.push(earlier[Math.floor(random() * earlier.length)]!);
    else {
      const key = `${label}-${process.pid}-${own.length}`;
      own.push(key);
      keys.push(key);
    }
  }
  return keys;
}

describe('Redis killed mid-traffic and restarted on the same port', () => {
  it('never executes a key twice, answers 503 + Retry-After while down, and 201 once back', { timeout: 60_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'idemaudit-failure-aof-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    // Later arguments override the helper's `--appendonly no --dir <tmp>`.
    const durable = ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dataDir];
    let redis: RedisServer = await startRedisServer({ args: durable });
    cleanups.push(() => redis.stop('SIGKILL'));
    const port = redis.port;

    const store: RedisStore = createRedisStore({ url: redis.url, prefix: uniquePrefix('failure-crash') });
    const server: ReferenceServer = await startReferenceServer({ store, processingMs: PROCESSING_MS });
    // Closed in this order: the server first, then the store it uses.
    cleanups.push(() => store.close());
    cleanups.push(() => server.close());

    const random = rng(0xc0ffee);
    const a = segment('a', SEGMENT, [], random);
    const b = segment('b', SEGMENT, a, random);
    const c = segment('c', SEGMENT, [...a, ...b], random);
    const requests: LoadRequest[] = [...a, ...b, ...c].map((key) => ({ key }));

    let releaseC!: () => void;
    const segmentC = new Promise<void>((resolve) => (releaseC = resolve));
    let crashRequested!: () => void;
    const crash = new Promise<void>((resolve) => (crashRequested = resolve));
    let segmentBAnswered!: () => void;
    const bAnswered = new Promise<void>((resolve) => (segmentBAnswered = resolve));

    let deadAt = Number.POSITIVE_INFINITY; // Redis process has exited
    let restartAt = Number.POSITIVE_INFINITY; // restart begins (Redis may answer from here on)
    let recoveredAt = Number.POSITIVE_INFINITY; // a probe got its 201: segment C is released
    const probes: LoadResult[] = [];

    const outage = (async () => {
      await crash;
      await redis.stop('SIGKILL');
      deadAt = performance.now();
      // Keep it down while segment B requests keep failing, bounded in time.
      await Promise.all([sleep(MIN_OUTAGE_MS), Promise.race([bAnswered, sleep(MAX_OUTAGE_MS)])]);
      restartAt = performance.now();
      redis = await startRedisServer({ port, args: durable });
      // Probe with fresh keys until the store answers again (each probe is a request like any other).
      for (let i = 0; i < RECOVERY_PROBES && recoveredAt === Number.POSITIVE_INFINITY; i++) {
        const probe = await runLoad({ origin: server.url, requests: [{ key: `probe-${process.pid}-${i}` }], concurrency: 1, timeoutMs: 5_000 });
        const answer = probe.results[0]!;
        probes.push(answer);
        if (answer.status === 201) recoveredAt = performance.now();
        else await sleep(100);
      }
      releaseC();
    })();

    const run = await runLoad({
      origin: server.url,
      requests,
      concurrency: CONCURRENCY,
      timeoutMs: 40_000,
      beforeRequest: (index) => (index >= 2 * SEGMENT ? segmentC : undefined),
      onResult: (_result, answered) => {
        if (answered === SEGMENT) crashRequested();
        if (answered === 2 * SEGMENT) segmentBAnswered();
      },
    });
    await outage;
    expect(recoveredAt, `store never recovered; probes: ${JSON.stringify(probes.map((p) => p.status))}`).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(run.notSent).toBe(0);

    const results = [...run.results, ...probes];
    expect(results).toHaveLength(3 * SEGMENT + probes.length);
    const noAnswer = results.filter((r) => r.status === 0);
    expect(noAnswer, 'every request gets an answer').toEqual([]);
    const unexpected = results.filter((r) => ![201, 409, 503].includes(r.status));
    expect(unexpected).toEqual([]);

    // Per key: executions <= 1, == non-replayed 201s; every 201 names that one execution.
    const byKey = new Map<string, LoadResult[]>();
    for (const r of results) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
    let executions = 0;
    for (const [key, answers] of byKey) {
      const ledger = server.ledger.forKey(key).executions;
      const fresh = answers.filter((r) => r.status === 201 && !r.replayed);
      expect(ledger.length, `key ${key} executed ${ledger.length} times`).toBeLessThanOrEqual(1);
      expect(ledger.length, `key ${key}: executions vs non-replayed 201s ${JSON.stringify(answers)}`).toBe(fresh.length);
      for (const r of answers.filter((x) => x.status === 201)) expect(r.id, `key ${key}`).toBe(ledger[0]?.id);
      executions += ledger.length;
    }
    const summary = server.ledger.summary();
    expect(summary.duplicates).toEqual([]);
    expect(summary.total).toBe(executions);

    // While down: 503 problem+json with Retry-After, and nothing else for requests entirely inside the outage.
    const unavailable = results.filter((r) => r.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const r of unavailable) {
      expect(r.retryAfter).toBeDefined();
      expect(r.contentType).toBe('application/problem+json');
    }
    // A key that only ever got 503s never ran (its handler was never called).
    for (const [key, answers] of byKey) {
      if (answers.every((r) => r.status === 503)) expect(server.ledger.forKey(key).executions, `key ${key}`).toHaveLength(0);
    }
    const duringOutage = results.filter((r) => r.startedAt > deadAt && r.endedAt < restartAt);
    expect(duringOutage.length, 'requests sent while Redis was dead').toBeGreaterThanOrEqual(10);
    expect(duringOutage.filter((r) => r.status !== 503)).toEqual([]);

    // Back up: segment C sees no 503; 201s (new or replayed) except keys whose claim was caught in flight.
    const after = run.results.filter((r) => r.index >= 2 * SEGMENT);
    expect(after).toHaveLength(SEGMENT);
    expect(after.filter((r) => r.status === 503)).toEqual([]);
    const created = after.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(0.8 * SEGMENT);
    // Keys completed before the crash replay after the restart (the AOF kept them).
    const replayedAfter = after.filter((r) => r.replayed);
    expect(replayedAfter.length).toBeGreaterThan(0);

    const count = (list: LoadResult[], status: number) => list.filter((r) => r.status === status).length;
    console.info(
      `[redis-crash] ${results.length} requests, ${byKey.size} keys, ${executions} executions; ` +
        `503: ${unavailable.length} (${duringOutage.length} entirely inside the outage); ` +
        `after restart: ${created.length} x 201 (${replayedAfter.length} replays), ${count(after, 409)} x 409; ` +
        `503 latency max ${Math.max(...unavailable.map((r) => r.endedAt - r.startedAt)).toFixed(0)} ms; ` +
        `outage ${(restartAt - deadAt).toFixed(0)} ms, recovery ${(recoveredAt - restartAt).toFixed(0)} ms after restart (${probes.length} probes)`,
    );
  });
});
