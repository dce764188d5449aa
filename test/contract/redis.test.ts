// The contract against the shared Redis on 127.0.0.1:6379, each test under its own key prefix: on the
// ioredis client the store creates, and on a node-redis client the application passes in.
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, expect } from 'vitest';
import { createRedisStore } from '../../src/reference/store/redis/index.js';
import { deleteKeysByPrefix, keysByPrefix, requireRedis, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { describeStoreContract } from './store-contract.js';

let admin: Redis;

beforeAll(async () => {
  await requireRedis();
  admin = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await admin?.quit();
});

describeStoreContract('redis', () => {
  const prefix = uniquePrefix('contract');
  const store = createRedisStore({ url: SHARED_REDIS_URL, prefix });
  return {
    store,
    cleanup: async () => {
      await deleteKeysByPrefix(admin, prefix);
      // A full SCAN (every cursor): one page of a large shared Redis proves nothing.
      expect(await keysByPrefix(admin, prefix)).toEqual([]);
    },
  };
});

describeStoreContract('redis (node-redis client)', async () => {
  const prefix = uniquePrefix('contract-node-redis');
  const client = createClient({ url: SHARED_REDIS_URL, disableOfflineQueue: true });
  client.on('error', () => {});
  await client.connect();
  const store = createRedisStore({ redis: client, prefix });
  expect(store.name).toBe('redis');
  return {
    store,
    cleanup: async () => {
      try {
        await deleteKeysByPrefix(admin, prefix);
        expect(await keysByPrefix(admin, prefix)).toEqual([]);
      } finally {
        // The store never closes a client it was given: its owner does.
        await client.quit();
      }
    },
  };
});
