// Failing closed and recovering: a store whose Redis is unreachable rejects with
// StoreUnavailableError quickly (never hangs), and works again once Redis is back.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../../src/reference/store/redis/index.js';
import type { RedisStore } from '../../../src/reference/store/redis/index.js';
import { StoreUnavailableError } from '../../../src/reference/store/types.js';
import type { IdempotencyStore } from '../../../src/reference/store/types.js';
import { sleep, startRedisServer } from '../../helpers/redis.js';
import type { RedisServer } from '../../helpers/redis.js';

const CLOSED_PORT_URL = 'redis://127.0.0.1:1';
const LIMIT_MS = 2_000;
const cleanups: (() => Promise<unknown> | void)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function track<T extends IdempotencyStore>(store: T): T {
  cleanups.push(() => store.close());
  return store;
}

/** Runs `operation`, expecting StoreUnavailableError, and returns how long the rejection took in ms. */
async function timeRejection(operation: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  const error = await operation().then(
    () => undefined,
    (e: unknown) => e,
  );
  const elapsed = performance.now() - started;
  expect(error).toBeInstanceOf(StoreUnavailableError);
  return elapsed;
}

describe('Redis store when Redis is down', () => {
  it('rejects every operation with StoreUnavailableError within 2 s when nothing listens', async () => {
    const store = track(createRedisStore({ url: CLOSED_PORT_URL, prefix: 'down:' }));
    const response = { status: 200, headers: {}, bodyBase64: '' };
    const operations = [
      () => store.begin('k', 'fp', { leaseMs: 1_000 }),
      () => store.lookup('k', 'fp'),
      () => store.complete('k', 'token', response, 1_000),
      () => store.release('k', 'token'),
      () => store.forget('k'),
    ];
    const elapsed = await Promise.all(operations.map(timeRejection));
    for (const ms of elapsed) expect(ms).toBeLessThan(LIMIT_MS);
    const started = performance.now();
    await store.close();
    expect(performance.now() - started).toBeLessThan(LIMIT_MS);
  });

  it('bounds a passed-in client that has no command timeout with its own deadline (timeoutMs)', async () => {
    // ioredis defaults: offline queue on, 20 retries per request: alone, this would wait for many seconds.
    const client = new Redis(CLOSED_PORT_URL);
    client.on('error', () => {});
    cleanups.push(() => client.disconnect());
    const store = track(createRedisStore({ redis: client, prefix: 'down:', timeoutMs: 300 }));
    const elapsed = await timeRejection(() => store.begin('k', 'fp', { leaseMs: 1_000 }));
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(LIMIT_MS);
  });

  it('a cluster store with no reachable node rejects within 2 s', async () => {
    const store = track(createRedisStore({ cluster: [CLOSED_PORT_URL], prefix: 'down:' }));
    expect(store.name).toBe('redis-cluster');
    expect(await timeRejection(() => store.begin('k', 'fp', { leaseMs: 1_000 }))).toBeLessThan(LIMIT_MS);
  });

  it('fails closed when its server dies and recovers when the server is back', async () => {
    let server: RedisServer = await startRedisServer();
    cleanups.push(() => server.stop('SIGKILL'));
    const port = server.port;
    const store: RedisStore = track(createRedisStore({ url: server.url, prefix: 'down:' }));
    const first = await store.begin('before-crash', 'fp', { leaseMs: 0 });
    expect(first.kind).toBe('new');

    await server.stop('SIGKILL');
    for (let i = 0; i < 3; i++) {
      expect(await timeRejection(() => store.begin(`during-${i}`, 'fp', { leaseMs: 1_000 }))).toBeLessThan(LIMIT_MS);
    }

    server = await startRedisServer({ port });
    // Recovery is bounded by attempts (50, 100 ms apart), not by a wall-clock budget.
    let recovered: Awaited<ReturnType<RedisStore['begin']>> | undefined;
    for (let attempt = 0; attempt < 50 && recovered === undefined; attempt++) {
      try {
        recovered = await store.begin('after-restart', 'fp', { leaseMs: 1_000 });
      } catch (error) {
        expect(error).toBeInstanceOf(StoreUnavailableError);
        await sleep(100);
      }
    }
    expect(recovered?.kind).toBe('new');
    // The server keeps nothing on disk, so the claim made before the crash is gone.
    expect(await store.lookup('before-crash', 'fp')).toEqual({ kind: 'absent' });
  });
});
