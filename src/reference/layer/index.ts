export { createIdempotencyLayer } from './layer.js';
export type { LayerOptions } from './options.js';
export { LAYER_DEFAULTS } from './options.js';
export type {
  EventListener,
  Execute,
  IdempotencyLayer,
  KeySyntax,
  LayerEvent,
  LayerRequest,
  LayerSettings,
  Outcome,
  RequestHeaders,
  ResponseEnvelope,
  StoreOp,
} from './types.js';
export { AbandonedRequestError, isAbandoned } from './abandoned.js';
export { parseIdempotencyKey, MAX_KEY_LENGTH, type KeyParseResult } from './key-syntax.js';
export { fingerprintRequest } from './fingerprint.js';
export { tenantFromAuthorization, ANONYMOUS_TENANT, GLOBAL_TENANT, type TenantOf } from './tenant.js';
export { LayerConfigError } from './errors.js';
export { defaultRouteOf, normalisedRoute, type RouteOf } from './route.js';
export { activeClaim, type ActiveClaim } from './active-claim.js';
export { scopedStoreKey } from './scope.js';
export { DEFAULT_REPLAY_HEADERS, REPLAY_MARKER } from './envelope.js';
export { PROBLEM_CONTENT_TYPE, DEFAULT_PROBLEM_TYPE_BASE, createProblems, type Problems } from './problem.js';
export type { LayerBehaviour } from './behaviour.js';
