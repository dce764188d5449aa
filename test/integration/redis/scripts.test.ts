// EVALSHA behaviour, observed through the command statistics of a throwaway Redis of our own
// (CONFIG RESETSTAT and SCRIPT FLUSH would disturb others on the shared server), on the ioredis
// client the store creates and on a node-redis client passed in.
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../../src/reference/store/redis/index.js';
import type { IdempotencyStore } from '../../../src/reference/store/types.js';
import { startRedisServer } from '../../helpers/redis.js';
import type { RedisServer } from '../../helpers/redis.js';

let server: RedisServer;
let admin: Redis;

/** calls per command (and NOSCRIPT errors) since the last CONFIG RESETSTAT, without the admin's own INFO/CONFIG. */
async function commandStats(): Promise<Record<string, number>> {
  const info = await admin.info('all');
  const stats: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) {
    if (!['info', 'config'].includes(match[1]!)) stats[match[1]!] = Number(match[2]);
  }
  const noscript = /^errorstat_NOSCRIPT:count=(\d+)/m.exec(info);
  if (noscript) stats['NOSCRIPT errors'] = Number(noscript[1]);
  return stats;
}

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
});

beforeEach(async () => {
  await admin.config('RESETSTAT');
});

afterAll(async () => {
  await admin?.quit();
  await server?.stop();
});

type NodeRedis = ReturnType<typeof createClient>;

const clients: Array<[string, () => Promise<{ store: IdempotencyStore; close: () => Promise<unknown> }>]> = [
  [
    'ioredis',
    async () => {
      const store = createRedisStore({ url: server.url, prefix: 'scripts-ioredis:' });
      return { store, close: () => store.close() };
    },
  ],
  [
    'node-redis',
    async () => {
      const client: NodeRedis = createClient({ url: server.url, disableOfflineQueue: true });
      client.on('error', () => {});
      await client.connect();
      return { store: createRedisStore({ redis: client, prefix: 'scripts-node-redis:' }), close: () => client.quit() };
    },
  ],
];

describe.each(clients)('Redis store scripts on %s', (_label, open) => {
  let store: IdempotencyStore;
  let close: () => Promise<unknown>;

  beforeAll(async () => {
    ({ store, close } = await open());
    // Warm up: the connection handshake, and the first use of each script on the socket (sent as EVAL).
    const claim = await store.begin('warm-up', 'fp', { leaseMs: 0 });
    if (claim.kind !== 'new') throw new Error('warm-up claim failed');
    await store.lookup('warm-up', 'fp');
    await store.complete('warm-up', claim.token, { status: 200, headers: {}, bodyBase64: '' }, 60_000);
    await store.release('warm-up', claim.token);
  });

  afterAll(async () => {
    await close?.();
  });

  it('each operation is exactly one EVALSHA round trip (as MONITOR sees it)', async () => {
    const monitor = await admin.duplicate().monitor();
    const seen: string[] = [];
    const marker = `marker-${process.pid}`;
    let markerSeen: () => void = () => {};
    const markerArrived = new Promise<void>((resolve) => (markerSeen = resolve));
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (args[0]?.toLowerCase() === 'echo' && args[1] === marker) markerSeen();
      // Commands a script runs show up with source "lua"; we want what the client sent.
      else if (!source.includes('lua')) seen.push(args[0]!.toLowerCase());
    });
    try {
      for (let i = 0; i < 20; i++) {
        const claim = await store.begin(`k${i}`, 'fp', { leaseMs: 5_000 });
        if (claim.kind !== 'new') throw new Error(`expected new, got ${claim.kind}`);
        await store.complete(`k${i}`, claim.token, { status: 201, headers: {}, bodyBase64: 'eA==' }, 60_000);
        await store.begin(`k${i}`, 'fp', { leaseMs: 5_000 });
      }
      await admin.echo(marker);
      await markerArrived;
    } finally {
      monitor.disconnect();
    }
    expect(seen).toEqual(Array.from({ length: 60 }, () => 'evalsha'));
  });

  it('falls back to EVAL when the script cache was flushed (NOSCRIPT), then uses EVALSHA again', async () => {
    await admin.script('FLUSH');
    expect(await store.begin('after-flush', 'fp', { leaseMs: 5_000 })).toMatchObject({ kind: 'new' });
    expect(await store.begin('after-flush', 'fp', { leaseMs: 5_000 })).toEqual({ kind: 'in-flight' });
    const stats = await commandStats();
    expect(stats['NOSCRIPT errors']).toBe(1);
    expect(stats['eval']).toBe(1);
    expect(stats['evalsha']).toBe(2);
    expect(stats).not.toHaveProperty('script|load');
  });
});
