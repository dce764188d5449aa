// PostgreSQL unreachable in the middle of concurrent keyed traffic: a TCP proxy the test controls
// sits between the store and the database, and is cut (every connection reset, new ones refused)
// when 100 answers have arrived, then restored. Mirrors redis-crash.test.ts.
//
// Traffic: 300 POSTs at concurrency 20 in three segments of 100 keys with duplicates:
//   A  before the cut (fresh keys and repeats);
//   B  sent while the database is cut off (fresh keys and repeats of A keys);
//   C  held back until the proxy is restored and a probe got a 201 (fresh keys, repeats of A and B).
//
// Oracles (the reference server's ledger, one entry per execution of the side effect):
//   - per key, executions <= 1 and == the number of non-replayed 201s: no 503 or 409 ever ran the
//     handler, and no replay did;
//   - every 201 of a key carries the id of its one execution (keys completed before the cut replay
//     after it: the rows are in the database);
//   - every 503 is problem+json with Retry-After, and every request that started after the cut and
//     finished before the restore got 503 (fail closed);
//   - after the restore: no 503, only 201 (new or replayed) or 409 (a claim caught in flight).
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { startReferenceServer } from '../../../src/demo/index.js';
import { createPostgresStore } from '../../../src/reference/store/postgres/index.js';
import { rng, runLoad, type LoadRequest, type LoadResult } from '../../helpers/load.js';
import { adminPool, dropSchema, requirePostgres, uniqueSchema } from '../../helpers/postgres.js';
import { sleep } from '../../helpers/redis.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';

const SEGMENT = 100;
const CONCURRENCY = 20;
const PROCESSING_MS = 20;
const MIN_OUTAGE_MS = 500;
const MAX_OUTAGE_MS = 3_000;
const RECOVERY_PROBES = 60;

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

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

describe('PostgreSQL unreachable mid-traffic (connections cut by a proxy), then reachable again', () => {
  it('never executes a key twice, answers 503 + Retry-After while cut off, and 201 once back', { timeout: 60_000 }, async () => {
    await requirePostgres();
    const schema = uniqueSchema('outage');
    const admin = adminPool();
    cleanups.push(async () => {
      await dropSchema(admin, schema);
      await admin.end();
    });
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    cleanups.push(() => proxy.close());
    const store = createPostgresStore({ connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/test`, schema, timeoutMs: 500, purgeIntervalMs: 0 });
    await store.ready();
    const server = await startReferenceServer({ store, processingMs: PROCESSING_MS });
    cleanups.push(() => store.close());
    cleanups.push(() => server.close());

    const random = rng(0xdb0ff);
    const a = segment('a', SEGMENT, [], random);
    const b = segment('b', SEGMENT, a, random);
    const c = segment('c', SEGMENT, [...a, ...b], random);
    const requests: LoadRequest[] = [...a, ...b, ...c].map((key) => ({ key }));

    let releaseC!: () => void;
    const segmentC = new Promise<void>((resolve) => (releaseC = resolve));
    let cutRequested!: () => void;
    const cutNow = new Promise<void>((resolve) => (cutRequested = resolve));
    let segmentBAnswered!: () => void;
    const bAnswered = new Promise<void>((resolve) => (segmentBAnswered = resolve));

    let cutAt = Number.POSITIVE_INFINITY;
    let restoreAt = Number.POSITIVE_INFINITY;
    let recoveredAt = Number.POSITIVE_INFINITY;
    const probes: LoadResult[] = [];

    const outage = (async () => {
      await cutNow;
      proxy.cut();
      cutAt = performance.now();
      await Promise.all([sleep(MIN_OUTAGE_MS), Promise.race([bAnswered, sleep(MAX_OUTAGE_MS)])]);
      restoreAt = performance.now();
      proxy.restore();
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
        if (answered === SEGMENT) cutRequested();
        if (answered === 2 * SEGMENT) segmentBAnswered();
      },
    });
    await outage;
    expect(recoveredAt, `store never recovered; probes: ${JSON.stringify(probes.map((p) => p.status))}`).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(run.notSent).toBe(0);

    const results = [...run.results, ...probes];
    expect(
      results.filter((r) => r.status === 0),
      'every request gets an answer',
    ).toEqual([]);
    expect(results.filter((r) => ![201, 409, 503].includes(r.status))).toEqual([]);

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
    expect(server.ledger.summary().duplicates).toEqual([]);

    const unavailable = results.filter((r) => r.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const r of unavailable) {
      expect(r.retryAfter).toBeDefined();
      expect(r.contentType).toBe('application/problem+json');
    }
    for (const [key, answers] of byKey) {
      if (answers.every((r) => r.status === 503)) expect(server.ledger.forKey(key).executions, `key ${key}`).toHaveLength(0);
    }
    const duringOutage = results.filter((r) => r.startedAt > cutAt && r.endedAt < restoreAt);
    expect(duringOutage.length, 'requests sent while the database was cut off').toBeGreaterThanOrEqual(10);
    expect(duringOutage.filter((r) => r.status !== 503)).toEqual([]);

    const after = run.results.filter((r) => r.index >= 2 * SEGMENT);
    expect(after).toHaveLength(SEGMENT);
    expect(after.filter((r) => r.status === 503)).toEqual([]);
    expect(after.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(0.8 * SEGMENT);
    expect(after.filter((r) => r.replayed).length).toBeGreaterThan(0);

    console.info(
      `[postgres-outage] ${results.length} requests, ${byKey.size} keys, ${executions} executions; ` +
        `503: ${unavailable.length} (${duringOutage.length} entirely inside the outage); ` +
        `after restore: ${after.filter((r) => r.status === 201).length} x 201 (${after.filter((r) => r.replayed).length} replays), ` +
        `${after.filter((r) => r.status === 409).length} x 409; 503 latency max ${Math.max(...unavailable.map((r) => r.endedAt - r.startedAt)).toFixed(0)} ms; ` +
        `outage ${(restoreAt - cutAt).toFixed(0)} ms, recovery ${(recoveredAt - restoreAt).toFixed(0)} ms after restore (${probes.length} probes)`,
    );
  });
});
