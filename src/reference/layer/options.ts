// Layer options, their defaults, and the one place they are validated.
import type { LayerBehaviour } from './behaviour.js';
import type { IdempotencyStore } from '../store/types.js';
import { DEFAULT_REPLAY_HEADERS } from './envelope.js';
import { tenantFromAuthorization, type TenantOf } from './tenant.js';
import type { EventListener, KeySyntax } from './types.js';

export interface LayerOptions {
  store: IdempotencyStore;
  /** Default `Idempotency-Key`. */
  keyHeader?: string;
  /** Default `sf-string` (RFC 9651 quoted string); `lenient` also accepts bare keys. */
  keySyntax?: KeySyntax;
  /** How long a completed result is replayed. Default 24 h. */
  retentionMs?: number;
  /** How long an in-flight claim blocks its key. Default 30 s; must be positive (an unbounded lock is the `orphan-lock` flaw). */
  leaseMs?: number;
  /** Store and replay 5xx results. Default false: a 5xx releases the key. */
  replay5xx?: boolean;
  /** Protected methods. Default POST, PATCH, PUT, DELETE; others pass straight through. */
  methods?: readonly string[];
  /** Refuse protected requests without a key (400). Default true. */
  keyRequired?: boolean;
  /** Response headers stored and replayed. Default Content-Type, Location, Content-Location, ETag, Last-Modified, Link. */
  replayHeaders?: readonly string[];
  /** Tenant a request belongs to. Default: SHA-256 of Authorization, `anonymous` without one. */
  tenantOf?: TenantOf;
  /**
   * Deliberate bugs, for demonstrating what an audit catches (the demo server's flaw modes,
   * src/demo/flaws/). Never set this in production.
   */
  flaws?: { names: readonly string[]; behaviour: LayerBehaviour };
  /** Metrics and logs hook; exceptions thrown by it are ignored. */
  onEvent?: EventListener;
  /** Larger bodies are refused with 413 before anything else. Default 1 MiB. */
  maxBodyBytes?: number;
  /** A store call slower than this counts as a store failure (fail closed). Default 5 s; 0 disables. */
  storeTimeoutMs?: number;
}

export const LAYER_DEFAULTS = {
  keyHeader: 'Idempotency-Key',
  keySyntax: 'sf-string' as KeySyntax,
  retentionMs: 24 * 60 * 60 * 1000,
  leaseMs: 30_000,
  replay5xx: false,
  methods: ['POST', 'PATCH', 'PUT', 'DELETE'],
  keyRequired: true,
  replayHeaders: DEFAULT_REPLAY_HEADERS,
  maxBodyBytes: 1024 * 1024,
  storeTimeoutMs: 5_000,
};

export interface ResolvedLayerOptions {
  store: IdempotencyStore;
  keyHeader: string;
  keySyntax: KeySyntax;
  retentionMs: number;
  leaseMs: number;
  replay5xx: boolean;
  methods: Set<string>;
  keyRequired: boolean;
  replayHeaders: string[];
  tenantOf: TenantOf;
  onEvent: EventListener | undefined;
  maxBodyBytes: number;
  storeTimeoutMs: number;
}

function nonNegativeInteger(name: string, value: number, { positive = false } = {}): number {
  if (!Number.isInteger(value) || value < 0 || (positive && value === 0)) {
    throw new RangeError(`${name} must be a ${positive ? 'positive' : 'non-negative'} integer, got ${value}`);
  }
  return value;
}

export function resolveLayerOptions(options: LayerOptions): ResolvedLayerOptions {
  if (!options.store) throw new TypeError('createIdempotencyLayer: `store` is required');
  const keySyntax = options.keySyntax ?? LAYER_DEFAULTS.keySyntax;
  if (keySyntax !== 'sf-string' && keySyntax !== 'lenient') {
    throw new RangeError(`keySyntax must be 'sf-string' or 'lenient', got ${String(keySyntax)}`);
  }
  return {
    store: options.store,
    keyHeader: options.keyHeader ?? LAYER_DEFAULTS.keyHeader,
    keySyntax,
    retentionMs: nonNegativeInteger('retentionMs', options.retentionMs ?? LAYER_DEFAULTS.retentionMs, { positive: true }),
    leaseMs: nonNegativeInteger('leaseMs', options.leaseMs ?? LAYER_DEFAULTS.leaseMs, { positive: true }),
    replay5xx: options.replay5xx ?? LAYER_DEFAULTS.replay5xx,
    methods: new Set((options.methods ?? LAYER_DEFAULTS.methods).map((method) => method.toUpperCase())),
    keyRequired: options.keyRequired ?? LAYER_DEFAULTS.keyRequired,
    replayHeaders: (options.replayHeaders ?? LAYER_DEFAULTS.replayHeaders).map((name) => name.toLowerCase()),
    tenantOf: options.tenantOf ?? tenantFromAuthorization,
    onEvent: options.onEvent,
    maxBodyBytes: nonNegativeInteger('maxBodyBytes', options.maxBodyBytes ?? LAYER_DEFAULTS.maxBodyBytes, { positive: true }),
    storeTimeoutMs: nonNegativeInteger('storeTimeoutMs', options.storeTimeoutMs ?? LAYER_DEFAULTS.storeTimeoutMs),
  };
}
