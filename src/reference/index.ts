// Public API of the reference idempotency implementation.
export { startReferenceServer, DEFAULT_PROCESSING_MS, type ReferenceServer, type ReferenceServerOptions } from '../demo/app/server.js';
export { Ledger, type Execution, type KeyLedger, type LedgerSummary } from '../demo/app/ledger.js';
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
} from '../demo/flaws/registry.js';
export type { BugClass, Flaw } from '../demo/flaws/types.js';
export { createReferenceMetrics, type ReferenceMetrics } from './observability/metrics.js';
export { createReferenceLogger, logLayerEvents, type ReferenceLoggerOptions } from './observability/logger.js';
export { MemoryStore } from './store/memory.js';
export { ReferenceConfigError } from './config-error.js';
export { StoreUnavailableError, type IdempotencyStore, type StoredResponse } from './store/types.js';
export { createRedisStore, RedisStore, type RedisStoreOptions } from './store/redis/index.js';
