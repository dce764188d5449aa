// What the Redis store writes and how it treats its connection, checked on the shared Redis
// (127.0.0.1:6379) under a unique prefix.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, DEFAULT_PREFIX } from '../../../src/reference/store/redis/index.js';
import type { RedisStore } from '../../../src/reference/store/redis/index.js';
import { StoreUnavailableError } from '../../../src/reference/store/types.js';
import { deleteKeysByPrefix, keysByPrefix, requireRedis, SHARED_REDIS_URL, uniquePrefix } from '../../helpers/redis.js';

let admin: Redis;
const prefix = uniquePrefix('layout');
const stores: RedisStore[] = [];

function store(options: Parameters<typeof createRedisStore>[0] = {}): RedisStore {
  const created = createRedisStore({ url: SHARED_REDIS_URL, prefix, ...options });
  stores.push(created);
  return created;
}

beforeAll(async () => {
  await requireRedis();
  admin = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await deleteKeysByPrefix(admin, prefix);
});

afterAll(async () => {
  await admin?.quit();
});

describe('Redis store record layout', () => {
  it('an in-flight claim is one hash {state, fingerprint, token} expiring with the lease', async () => {
    const s = store();
    const result = await s.begin('order-1', 'fp-1', { leaseMs: 5_000 });
    if (result.kind !== 'new') throw new Error(`expected new, got ${result.kind}`);
    expect(await keysByPrefix(admin, prefix)).toEqual([Buffer.from(`${prefix}{order-1}`)]);
    expect(await admin.hgetall(`${prefix}{order-1}`)).toEqual({ state: 'in-flight', fingerprint: 'fp-1', token: result.token });
    const ttl = await admin.pttl(`${prefix}{order-1}`);
    expect(ttl).toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });

  it('leaseMs 0 leaves the claim without expiry', async () => {
    const s = store();
    expect((await s.begin('order-2', 'fp', { leaseMs: 0 })).kind).toBe('new');
    expect(await admin.pttl(`${prefix}{order-2}`)).toBe(-1);
  });

  it('a completed record holds status, headers JSON and body base64 (no token), expiring with the retention', async () => {
    const s = store();
    const result = await s.begin('order-3', 'fp-3', { leaseMs: 0 });
    if (result.kind !== 'new') throw new Error(`expected new, got ${result.kind}`);
    const response = {
      status: 201,
      headers: { 'content-type': 'application/json', location: '/orders/3' },
      bodyBase64: Buffer.from('{"id":3}').toString('base64'),
    };
    expect(await s.complete('order-3', result.token, response, 60_000)).toBe(true);
    expect(await admin.hgetall(`${prefix}{order-3}`)).toEqual({
      state: 'completed',
      fingerprint: 'fp-3',
      status: '201',
      headers: JSON.stringify(response.headers),
      body: response.bodyBase64,
    });
    const ttl = await admin.pttl(`${prefix}{order-3}`);
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('Infinity retention keeps the response without expiry', async () => {
    const s = store();
    const result = await s.begin('order-4', 'fp', { leaseMs: 5_000 });
    if (result.kind !== 'new') throw new Error(`expected new, got ${result.kind}`);
    expect(await s.complete('order-4', result.token, { status: 200, headers: {}, bodyBase64: '' }, Number.POSITIVE_INFINITY)).toBe(true);
    expect(await admin.pttl(`${prefix}{order-4}`)).toBe(-1);
  });

  it('keys with braces, backslashes or lone surrogates are stored escaped under the same prefix', async () => {
    const s = store();
    for (const key of ['a}b', 'c\\d', '\uD800']) expect((await s.begin(key, 'fp', { leaseMs: 5_000 })).kind).toBe('new');
    const keys = (await keysByPrefix(admin, prefix)).map((k) => k.toString('utf8')).sort();
    expect(keys).toEqual([`${prefix}{\\uD800}`, `${prefix}{a\\u007Db}`, `${prefix}{c\\\\d}`].sort());
  });

  it('an unreadable record fails closed with StoreUnavailableError', async () => {
    const s = store();
    await admin.hset(`${prefix}{broken}`, 'state', 'completed', 'fingerprint', 'fp', 'status', 'abc', 'headers', '[]', 'body', '');
    await expect(s.begin('broken', 'fp', { leaseMs: 1_000 })).rejects.toBeInstanceOf(StoreUnavailableError);
    await admin.set(`${prefix}{wrong-type}`, 'not a hash');
    await expect(s.begin('wrong-type', 'fp', { leaseMs: 1_000 })).rejects.toThrow(/WRONGTYPE/);
    await expect(s.lookup('wrong-type', 'fp')).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('Redis store connection handling', () => {
  it('creates a fail-fast, auto-pipelining client and names itself redis', () => {
    const s = store();
    expect(s.name).toBe('redis');
    expect(s.client.isCluster).toBe(false);
    const options = (s.client as Redis).options;
    expect(options.enableAutoPipelining).toBe(true);
    expect(options.maxRetriesPerRequest).toBe(1);
    expect(options.commandTimeout).toBe(1_000);
  });

  it("uses the default prefix 'idem:' when none is given", () => {
    const s = createRedisStore({ url: SHARED_REDIS_URL });
    stores.push(s);
    expect(DEFAULT_PREFIX).toBe('idem:');
    expect(s.prefix).toBe('idem:');
  });

  it('close() quits a connection it created', async () => {
    const s = store();
    await s.lookup('x', 'fp');
    await s.close();
    expect(s.client.status).toBe('end');
    await expect(s.lookup('x', 'fp')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('close() leaves a client that was passed in open', async () => {
    const client = new Redis(SHARED_REDIS_URL, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
    try {
      const s = createRedisStore({ redis: client, prefix });
      expect((await s.begin('passed', 'fp', { leaseMs: 5_000 })).kind).toBe('new');
      await s.close();
      expect(client.status).toBe('ready');
      expect(await client.exists(`${prefix}{passed}`)).toBe(1);
    } finally {
      await client.quit();
    }
  });

  it('rejects ambiguous or unsafe options', () => {
    const client = new Redis(SHARED_REDIS_URL, { lazyConnect: true });
    expect(() => createRedisStore({ redis: client, url: SHARED_REDIS_URL })).toThrow(TypeError);
    expect(() => createRedisStore({ redis: client, prefix: 'idem:{tenant}:' })).toThrow(/braces/);
    expect(() => createRedisStore({ redis: client, timeoutMs: 0 })).toThrow(TypeError);
    client.disconnect();
  });

  it('claims stay atomic across connections: 4 stores x 25 concurrent begins, exactly one new', async () => {
    const racers = Array.from({ length: 4 }, () => store());
    await Promise.all(racers.map((s) => s.lookup('warm-up', 'fp')));
    const results = await Promise.all(racers.flatMap((s) => Array.from({ length: 25 }, () => s.begin('contended', 'fp', { leaseMs: 5_000 }))));
    expect(results.filter((r) => r.kind === 'new')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'in-flight')).toHaveLength(99);
  });
});
