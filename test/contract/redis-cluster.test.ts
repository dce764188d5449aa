// The contract against a throwaway 3-master Redis Cluster, through a client the test creates with
// new Redis.Cluster([...]) and passes in (the store must not close it).
import { Redis } from 'ioredis';
import type { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferenceConfigError } from '../../src/reference/config-error.js';
import { createRedisStore } from '../../src/reference/store/redis/index.js';
import { recordKey, redisText } from '../../src/reference/store/redis/keys.js';
import { deleteKeysByPrefix, keysByPrefix, startRedisCluster, uniquePrefix } from '../helpers/redis.js';
import type { RedisClusterHandle } from '../helpers/redis.js';
import { describeStoreContract } from './store-contract.js';

let cluster: RedisClusterHandle;
let client: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  client = new Redis.Cluster(cluster.nodes, {
    enableAutoPipelining: true,
    redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 1000 },
  });
}, 60_000);

afterAll(async () => {
  await client?.quit();
  await cluster?.stop();
});

describeStoreContract('redis-cluster', () => {
  const prefix = uniquePrefix('cluster-contract');
  return {
    store: createRedisStore({ redis: client, prefix }),
    cleanup: async () => {
      await deleteKeysByPrefix(client, prefix);
    },
  };
});

// node-redis v4 routes EVALSHA on a cluster by the wrong argument (its key extractor reads the sha1,
// not the keys): a few percent of calls go to a random master and fail with MOVED after its
// redirections. The store therefore refuses a node-redis cluster client.
describe('createRedisStore({ redis: node-redis createCluster() })', () => {
  it('is refused with a message naming what to use instead', () => {
    const nodeCluster = createCluster({ rootNodes: cluster.nodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })) });
    expect(() => createRedisStore({ redis: nodeCluster })).toThrow(ReferenceConfigError);
    expect(() => createRedisStore({ redis: nodeCluster })).toThrow(/ioredis Cluster/);
  });
});

describe('createRedisStore({ cluster }) on the same cluster', () => {
  it('creates its own cluster client, routes every key by its hash tag and closes the client', async () => {
    const prefix = uniquePrefix('cluster-own');
    const store = createRedisStore({ cluster: cluster.nodes.map((n) => `redis://${n.host}:${n.port}`), prefix });
    try {
      expect(store.name).toBe('redis-cluster');
      expect(store.client.isCluster).toBe(true);
      const keys = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? `}odd{${i}}` : `order-${i}`));
      const claims = await Promise.all(keys.map((key) => store.begin(key, 'fp', { leaseMs: 10_000 })));
      expect(claims.map((c) => c.kind)).toEqual(keys.map(() => 'new'));

      // Every record sits on the node that owns the slot of its whole key, and the keys span the masters.
      const perNode = await Promise.all(client.nodes('master').map((node) => keysByPrefix(node, prefix)));
      expect(perNode.filter((found) => found.length > 0).length).toBeGreaterThan(1);
      expect(perNode.flat()).toHaveLength(keys.length);
      for (const key of keys) {
        const full = recordKey(prefix, key);
        expect(await client.cluster('KEYSLOT', full)).toBe(await client.cluster('KEYSLOT', `{${redisText(key)}}`));
      }
    } finally {
      await store.close();
      await deleteKeysByPrefix(client, prefix);
    }
    expect(store.client.status).toBe('end');
  });
});
