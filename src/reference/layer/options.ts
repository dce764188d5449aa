// Layer options, their defaults, and the one place they are validated.
import type { LayerBehaviour } from './behaviour.js';
import { ReferenceConfigError } from '../config-error.js';
import type { IdempotencyStore } from '../store/types.js';
import { MAX_TIMER_MS } from '../store/deadline.js';
import { DEFAULT_REPLAY_HEADERS } from './envelope.js';
import { LayerConfigError } from './errors.js';
import { DEFAULT_PROBLEM_TYPE_BASE } from './problem.js';
import { defaultRouteOf, type RouteOf } from './route.js';
import { GLOBAL_TENANT, type TenantOf } from './tenant.js';
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
  /**
   * The principal a request belongs to, as the app has authenticated it (JWT `sub`, API-key id,
   * session user): keys are scoped to it. Required unless `scope` is 'global'.
   */
  tenantOf?: TenantOf;
  /** 'tenant' (default): keys are scoped by tenantOf. 'global': one key space for a single-tenant service (no tenantOf). */
  scope?: 'tenant' | 'global';
  /** Route pattern of a request, for the metrics' `route` label and per-endpoint storage. Default: the adapter's route pattern, else the path with id-like segments as `:id`. Must return a bounded set. */
  routeOf?: RouteOf;
  /**
   * Run claimed handlers with their claim visible to PostgresStore.completeInTransaction (through
   * AsyncLocalStorage, which costs every request a little on Node 20). Default false.
   */
  transactionalCompletion?: boolean;
  /** Base of the problem+json `type` URIs (type = base + slug). Default `urn:idemaudit:problem:`. */
  problemTypeBase?: string;
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
  scope: 'tenant' | 'global';
  routeOf: RouteOf;
  problemTypeBase: string;
  transactionalCompletion: boolean;
  onEvent: EventListener | undefined;
  maxBodyBytes: number;
  storeTimeoutMs: number;
}

function nonNegativeInteger(name: string, value: number, { positive = false } = {}): number {
  if (!Number.isInteger(value) || value < 0 || (positive && value === 0)) {
    throw new ReferenceConfigError(`${name} must be a ${positive ? 'positive' : 'non-negative'} integer, got ${value}`);
  }
  return value;
}

/** A delay for setTimeout: a longer one fires at once, and every store call would time out. */
function timerMs(name: string, value: number): number {
  const ms = nonNegativeInteger(name, value);
  if (ms > MAX_TIMER_MS) throw new ReferenceConfigError(`${name} must be at most ${MAX_TIMER_MS} ms, got ${value}`);
  return ms;
}

export function resolveLayerOptions(options: LayerOptions): ResolvedLayerOptions {
  if (!options.store) throw new ReferenceConfigError('createIdempotencyLayer: `store` is required');
  const keySyntax = options.keySyntax ?? LAYER_DEFAULTS.keySyntax;
  if (keySyntax !== 'sf-string' && keySyntax !== 'lenient') {
    throw new ReferenceConfigError(`keySyntax must be 'sf-string' or 'lenient', got ${String(keySyntax)}`);
  }
  const scope = options.scope ?? 'tenant';
  if (scope !== 'tenant' && scope !== 'global') {
    throw new LayerConfigError('IDEMPOTENCY_SCOPE_INVALID', 'scope', `createIdempotencyLayer: scope must be 'tenant' or 'global', got ${String(scope)}`);
  }
  if (scope === 'tenant' && typeof options.tenantOf !== 'function') {
    throw new LayerConfigError(
      'IDEMPOTENCY_TENANT_REQUIRED',
      'tenantOf',
      'createIdempotencyLayer: `tenantOf` is required: pass tenantOf(req) returning the principal your auth has verified ' +
        "(JWT sub, API-key id, session user), or scope: 'global' for a single-tenant service",
    );
  }
  if (scope === 'global' && options.tenantOf !== undefined) {
    throw new LayerConfigError('IDEMPOTENCY_SCOPE_CONFLICT', 'tenantOf', "createIdempotencyLayer: `tenantOf` and scope: 'global' exclude each other");
  }
  const problemTypeBase = options.problemTypeBase ?? DEFAULT_PROBLEM_TYPE_BASE;
  if (typeof problemTypeBase !== 'string' || problemTypeBase.length === 0) {
    throw new LayerConfigError('IDEMPOTENCY_PROBLEM_BASE_INVALID', 'problemTypeBase', 'createIdempotencyLayer: problemTypeBase must be a non-empty string');
  }
  return {
    store: options.store,
    scope,
    routeOf: options.routeOf ?? defaultRouteOf,
    problemTypeBase,
    transactionalCompletion: options.transactionalCompletion ?? false,
    keyHeader: options.keyHeader ?? LAYER_DEFAULTS.keyHeader,
    keySyntax,
    retentionMs: nonNegativeInteger('retentionMs', options.retentionMs ?? LAYER_DEFAULTS.retentionMs, { positive: true }),
    leaseMs: nonNegativeInteger('leaseMs', options.leaseMs ?? LAYER_DEFAULTS.leaseMs, { positive: true }),
    replay5xx: options.replay5xx ?? LAYER_DEFAULTS.replay5xx,
    methods: new Set((options.methods ?? LAYER_DEFAULTS.methods).map((method) => method.toUpperCase())),
    keyRequired: options.keyRequired ?? LAYER_DEFAULTS.keyRequired,
    replayHeaders: (options.replayHeaders ?? LAYER_DEFAULTS.replayHeaders).map((name) => name.toLowerCase()),
    tenantOf: options.tenantOf ?? (() => GLOBAL_TENANT),
    onEvent: options.onEvent,
    maxBodyBytes: nonNegativeInteger('maxBodyBytes', options.maxBodyBytes ?? LAYER_DEFAULTS.maxBodyBytes, { positive: true }),
    storeTimeoutMs: timerMs('storeTimeoutMs', options.storeTimeoutMs ?? LAYER_DEFAULTS.storeTimeoutMs),
  };
}
