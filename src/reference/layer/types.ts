// Shapes shared by the framework-agnostic layer, its flaws and its adapters.

/** Request headers as node:http exposes them (lower-case names; repeated headers may be arrays). */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** What the layer needs to know about a request; adapters build it from their framework's request. */
export interface LayerRequest {
  method: string;
  /** Path as received, including the query string (a different query is a different request). */
  path: string;
  headers: RequestHeaders;
  /** Raw body bytes, fingerprinted as-is. */
  body: Buffer;
  /** The framework's own request object (express Request, fastify request, node IncomingMessage), for tenantOf and routeOf. */
  native?: unknown;
  /** Route pattern when the adapter knows it (express req.route.path, fastify routeOptions.url). */
  route?: string;
}

/** A complete HTTP answer: what the handler produced, or what the layer answers instead. */
export interface ResponseEnvelope {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export type Execute = () => Promise<ResponseEnvelope>;

export interface IdempotencyLayer {
  handle(req: LayerRequest, execute: Execute): Promise<ResponseEnvelope>;
  /** The problem+json answers under the configured type base (adapters answer 413 and 500 with them). */
  readonly problems: LayerProblems;
  /** The settings in force after flaws were applied (reported by the reference server's health route). */
  readonly settings: LayerSettings;
}

export interface LayerSettings {
  keyHeader: string;
  scope: 'tenant' | 'global';
  problemTypeBase: string;
  keySyntax: KeySyntax;
  retentionMs: number;
  leaseMs: number;
  replay5xx: boolean;
  keyRequired: boolean;
  methods: string[];
  replayHeaders: string[];
  maxBodyBytes: number;
  flaws: string[];
}

export type KeySyntax = 'sf-string' | 'lenient';

/** How the layer answered one request; also the `outcome` label of `idempotency_requests_total`. */
export type Outcome =
  | 'new'
  | 'replay'
  | 'in_flight_conflict'
  | 'mismatch'
  | 'missing_key'
  | 'invalid_key'
  | 'store_error'
  /** Key optional and absent: the request ran without idempotency protection. */
  | 'unkeyed'
  /** Body larger than maxBodyBytes. */
  | 'too_large'
  /** Method not protected (GET, HEAD, ...): passed straight through. */
  | 'bypass';

export type StoreOp = 'begin' | 'lookup' | 'complete' | 'release' | 'extend' | 'forget';

/** Events for metrics and logs. Keys and tenants only ever appear hashed. */
export type LayerEvent =
  | {
      type: 'request';
      outcome: Outcome;
      method: string;
      path: string;
      /** Route pattern (bounded set: see LayerOptions.routeOf). */
      route: string;
      status: number;
      /** sha256 prefix of the idempotency key, when there was a usable one. */
      keyHash?: string;
      /** The tenant id tenantOf returned. */
      tenant?: string;
      durationMs: number;
    }
  | { type: 'store'; op: StoreOp; seconds: number; ok: boolean; error?: string }
  | { type: 'in-flight'; delta: 1 | -1 }
  /** The side effect ran but its result could not be recorded (store error or lost claim). */
  | { type: 'settle-failed'; keyHash: string; reason: string }
  /** A lease renewal found the claim gone while the handler ran (or its result was still being recorded). */
  | { type: 'lease-lost'; keyHash: string; reason: string };

export type EventListener = (event: LayerEvent) => void;

/** The problem+json answers of a layer (see problem.ts), under its configured type base. */
export interface LayerProblems {
  missingKey(header: string): ResponseEnvelope;
  invalidKey(header: string, reason: string): ResponseEnvelope;
  inFlight(): ResponseEnvelope;
  mismatch(): ResponseEnvelope;
  storeUnavailable(): ResponseEnvelope;
  handlerFailed(): ResponseEnvelope;
  tooLarge(maxBodyBytes: number): ResponseEnvelope;
}
