export { createRedisStore, DEFAULT_PREFIX, RedisStore } from './store.js';
export type { NodeRedisStoreOptions, RedisStoreClient, RedisStoreOptions } from './store.js';
export type { NodeRedisClient } from './scripts.js';
