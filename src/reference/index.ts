// Public API of the reference idempotency library: the layer, its stores, framework adapters and
// metrics. The demo payments app and its flaw modes are not part of it (src/demo/).
export * from './layer/index.js';
export * from './adapters/index.js';
export { createReferenceMetrics, type ReferenceMetrics } from './observability/metrics.js';
export { createReferenceLogger, logLayerEvents, type ReferenceLoggerOptions } from './observability/logger.js';
export { MemoryStore } from './store/memory.js';
export { StoreUnavailableError, type IdempotencyStore, type StoredResponse } from './store/types.js';
export { createRedisStore, RedisStore, type RedisStoreOptions } from './store/redis/index.js';
