// Public API of the reference idempotency library: the layer, its stores, framework adapters and
// metrics. The demo payments app and its flaw modes are not part of it (src/demo/).
export * from './layer/index.js';
export * from './adapters/index.js';
export { createReferenceMetrics, OVERFLOW_ROUTE, type ReferenceMetrics, type ReferenceMetricsOptions, type StorageSample } from './observability/metrics.js';
export { createReferenceLogger, logLayerEvents, type ReferenceLoggerOptions } from './observability/logger.js';
export { MemoryStore, MEMORY_STORE_DEFAULTS, type MemoryStoreOptions } from './store/memory.js';
export { ReferenceConfigError } from './config-error.js';
export { StoreCapacityError, StoreUnavailableError, type IdempotencyStore, type StoredResponse } from './store/types.js';
export {
  createRedisStore,
  RedisStore,
  type NodeRedisClient,
  type NodeRedisStoreOptions,
  type RedisStoreClient,
  type RedisStoreOptions,
} from './store/redis/index.js';
export {
  ClaimLostError,
  createPostgresStore,
  NoActiveClaimError,
  POSTGRES_DEFAULTS,
  PostgresStore,
  type PostgresStoreOptions,
  type PurgeResult,
  type RouteStorage,
} from './store/postgres/index.js';
