// The store contract every idempotency store implements (memory, Redis, Redis Cluster).
// begin() is the single atomic step: claim a new key, or learn it is in flight, completed or
// claimed with another payload. complete() and release() are fenced by the claim token, so a
// caller whose lease expired and whose key was re-claimed cannot overwrite the new owner. extend()
// (the lease heartbeat) is fenced the same way.

/** The response envelope persisted for exact replay. */
export interface StoredResponse {
  status: number;
  /** Only the allow-listed headers (lower-case names). */
  headers: Record<string, string>;
  /** Body bytes, base64-encoded so binary bodies replay byte for byte. */
  bodyBase64: string;
}

export type BeginResult = { kind: 'new'; token: string } | { kind: 'in-flight' } | { kind: 'completed'; response: StoredResponse } | { kind: 'mismatch' };

export interface BeginOptions {
  /** How long an in-flight claim blocks the key before another request may take it over. 0 = forever (flaw orphan-lock). */
  leaseMs: number;
  /** Route pattern of the endpoint, for stores that account storage per endpoint (PostgreSQL); others ignore it. */
  route?: string;
}

export interface IdempotencyStore {
  readonly name: string;
  /**
   * Set when the store bounds every call in time itself: no call takes longer than this many ms
   * before it settles or fails with StoreUnavailableError (0: calls never wait on I/O). The layer
   * then adds no timer of its own per call when its `storeTimeoutMs` is not shorter.
   */
  readonly callTimeoutMs?: number;
  begin(key: string, fingerprint: string, opts: BeginOptions): Promise<BeginResult>;
  /** Read-only view of a key, as begin() would answer but without claiming (used by the `race` flaw's check-then-set). */
  lookup(key: string, fingerprint: string): Promise<BeginResult | { kind: 'absent' }>;
  /** Store the final response for `retentionMs`. False when the token no longer owns the key. */
  complete(key: string, token: string, response: StoredResponse, retentionMs: number): Promise<boolean>;
  /** Drop an in-flight claim (failed or 5xx result) so a retry may run. False when the token no longer owns the key. */
  release(key: string, token: string): Promise<boolean>;
  /**
   * Renew an in-flight claim: its lease ends `leaseMs` from now (a heartbeat while the handler runs).
   * False when the token no longer owns an in-flight claim (expired, released, completed or re-claimed);
   * a completed key is never touched. `leaseMs` 0 makes the claim never expire, like begin().
   */
  extend(key: string, token: string, leaseMs: number): Promise<boolean>;
  /** Remove a key whatever its state (used only by deliberate flaws such as `poison`). */
  forget(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Thrown by stores when the backing service cannot answer; the layer fails closed (503). */
export class StoreUnavailableError extends Error {
  override readonly name: string = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Thrown by a bounded store (MemoryStore's maxRecords) when it is full of in-progress claims and so
 * cannot take a new one: evicting a claim in progress would let its duplicate run. A kind of
 * StoreUnavailableError, so the layer fails closed (503, retry later) exactly as for an outage.
 */
export class StoreCapacityError extends StoreUnavailableError {
  override readonly name: string = 'StoreCapacityError';
  readonly code = 'IDEMPOTENCY_STORE_FULL';
  constructor(readonly maxRecords: number) {
    super(`idempotency store full: all ${maxRecords} records are claims in progress; refusing a new claim (fail closed)`);
  }
}
