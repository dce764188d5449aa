// The contract against a throwaway 3-master Redis Cluster, through a client the test creates with
// new Redis.Cluster([...]) and passes in (the store must not close it).
import { Redis } from 'ioredis';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createRedisStore } from '../../src/reference/store/redis/index.js';
import { deleteKeysByPrefix, startRedisCluster, uniquePrefix } from '../helpers/redis.js';
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
