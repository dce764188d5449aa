// Public API of the reference idempotency implementation.
export { startReferenceServer, DEFAULT_PROCESSING_MS, type ReferenceServer, type ReferenceServerOptions } from './app/server.js';
export { Ledger, type Execution, type KeyLedger, type LedgerSummary } from './app/ledger.js';
export * from './layer/index.js';
export * from './adapters/index.js';
export {
  FLAWS,
  FLAW_NAMES,
  listFlaws,
  isFlawName,
  parseFlawNames,
  behaviourWith,
  type FlawName,
  type FlawInfo,
} from './flaws/registry.js';
export type { BugClass, Flaw } from './flaws/types.js';
export {
  createReferenceMetrics,
  OVERFLOW_ROUTE,
  type ReferenceMetrics,
  type ReferenceMetricsOptions,
  type StorageSample,
} from './observability/metrics.js';
export { createReferenceLogger, logLayerEvents, type ReferenceLoggerOptions } from './observability/logger.js';
export { MemoryStore } from './store/memory.js';
export { StoreUnavailableError, type IdempotencyStore, type StoredResponse } from './store/types.js';
export { createRedisStore, RedisStore, type RedisStoreOptions } from './store/redis/index.js';
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
