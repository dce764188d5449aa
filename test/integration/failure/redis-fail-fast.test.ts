// Fail-closed must be fast while Redis is down: once the store's own connection has been ready, the
// ioredis offline queue is off, so a command sent during an outage is refused at once instead of
// waiting for its timeout. Start-up still waits for Redis (the queue is on until the first ready).
import { performance } from 'node:perf_hooks';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../../src/reference/store/redis/index.js';
import { StoreUnavailableError, type IdempotencyStore } from '../../../src/reference/store/types.js';
import { sleep, startRedisServer, uniquePrefix, type RedisServer } from '../../helpers/redis.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** True once a claim succeeds again after a restart: up to 100 attempts, 50 ms apart after a failure. */
async function recovers(store: IdempotencyStore): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await store.begin(`after-${i}`, 'fp', { leaseMs: 30_000 })).kind === 'new') return true;
    } catch {
      await sleep(50);
    }
  }
  return false;
}

describe('Redis store while Redis is down', () => {
  it('begin() rejects with StoreUnavailableError in well under 1 s, and works again after a restart', { timeout: 30_000 }, async () => {
    let redis: RedisServer = await startRedisServer();
    cleanups.push(() => redis.stop('SIGKILL'));
    const port = redis.port;
    const store = createRedisStore({ url: redis.url, prefix: uniquePrefix('fail-fast') });
    cleanups.push(() => store.close());

    // Start-up: the first command is queued until the connection is ready, then works.
    expect((await store.begin('before', 'fp', { leaseMs: 30_000 })).kind).toBe('new');

    await redis.stop('SIGKILL');
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      await expect(store.begin(`down-${i}`, 'fp', { leaseMs: 30_000 })).rejects.toBeInstanceOf(StoreUnavailableError);
      latencies.push(performance.now() - started);
      await sleep(20);
    }
    latencies.sort((a, b) => a - b);
    const median = latencies[Math.floor(latencies.length / 2)]!;
    const max = latencies.at(-1)!;
    expect(median).toBeLessThan(100);
    expect(max).toBeLessThan(500);

    redis = await startRedisServer({ port });
    const restartedAt = performance.now();
    expect(await recovers(store), 'the store never answered again after the restart').toBe(true);
    console.info(
      `[redis-fail-fast] begin() while down: median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms; ` +
        `recovered ${(performance.now() - restartedAt).toFixed(0)} ms after the restart`,
    );
  });

  // A node-redis client passed in (the store refuses one with the offline queue on): a command sent
  // while Redis is down is refused at once, StoreUnavailableError (fail closed), and the store answers
  // again once the client has reconnected.
  it('node-redis client (disableOfflineQueue): StoreUnavailableError while down, works again after a restart', { timeout: 30_000 }, async () => {
    let redis: RedisServer = await startRedisServer();
    cleanups.push(() => redis.stop('SIGKILL'));
    const port = redis.port;
    const client = createClient({ url: redis.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 50 } });
    client.on('error', () => {});
    await client.connect();
    cleanups.push(async () => {
      if (client.isOpen) await client.disconnect();
    });
    const store = createRedisStore({ redis: client, prefix: uniquePrefix('fail-fast-node-redis'), timeoutMs: 1000 });
    expect((await store.begin('before', 'fp', { leaseMs: 30_000 })).kind).toBe('new');

    await redis.stop('SIGKILL');
    // Counted polls (a busy box only makes it slower): until the client has seen the socket close.
    for (let i = 0; i < 200 && client.isReady; i++) await sleep(10);
    expect(client.isReady).toBe(false);
    for (let i = 0; i < 3; i++) {
      const failed = await store.begin(`down-${i}`, 'fp', { leaseMs: 30_000 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(StoreUnavailableError);
      expect((failed as Error).message).toMatch(/begin failed/);
    }

    redis = await startRedisServer({ port });
    expect(await recovers(store), 'the store never answered again after the restart').toBe(true);
    // The store never closes a client it was given.
    await store.close();
    expect(client.isOpen).toBe(true);
  });
});
