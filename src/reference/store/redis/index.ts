export { createRedisStore, DEFAULT_PREFIX, RedisStore } from './store.js';
export type { RedisStoreOptions } from './store.js';
