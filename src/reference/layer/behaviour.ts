// Every decision the layer makes, as one object of small functions. The layer only ever consults
// this object; each flaw (src/demo/flaws/) replaces one or two of these decisions, so the
// deliberate bugs live in their own files instead of as ifs sprinkled through the layer.
import type { IdempotencyStore } from '../store/types.js';
import { atomicClaim, type ClaimStrategy } from './claim.js';
import { fingerprintRequest } from './fingerprint.js';
import { problems } from './problem.js';
import { scopedStoreKey } from './scope.js';
import type { LayerRequest, ResponseEnvelope } from './types.js';

export interface InFlightContext {
  store: IdempotencyStore;
  key: string;
  fingerprint: string;
  leaseMs: number;
  /** Runs the handler without any claim (errors already mapped to a 500 answer). */
  executeUnclaimed: () => Promise<ResponseEnvelope>;
}

export interface MismatchContext {
  store: IdempotencyStore;
  key: string;
}

export interface StoreErrorContext {
  error: unknown;
  executeUnclaimed: () => Promise<ResponseEnvelope>;
}

export interface LayerBehaviour {
  retentionMs(configured: number): number;
  leaseMs(configured: number): number;
  keyRequired(configured: boolean): boolean;
  fingerprint(req: LayerRequest): string;
  scope(tenant: string, key: string): string;
  claim: ClaimStrategy;
  /** True: keep the result for replay. False: release the key so a retry runs again. */
  keepsResult(status: number, replay5xx: boolean): boolean;
  /** Answer to a duplicate that arrives while the original still runs. */
  onInFlight(ctx: InFlightContext): Promise<ResponseEnvelope>;
  /** Side effects of rejecting a reuse with another payload (the answer itself is always 422). */
  onMismatch(ctx: MismatchContext): Promise<void>;
  /** Turns the stored envelope into the replayed one (before the replay marker is added). */
  renderReplay(stored: ResponseEnvelope): ResponseEnvelope;
  /** Answer when the store cannot be asked. */
  onStoreError(ctx: StoreErrorContext): Promise<ResponseEnvelope>;
}

export const correctBehaviour: LayerBehaviour = {
  retentionMs: (configured) => configured,
  leaseMs: (configured) => configured,
  keyRequired: (configured) => configured,
  fingerprint: (req) => fingerprintRequest(req.method, req.path, req.body),
  scope: scopedStoreKey,
  claim: atomicClaim,
  // 4xx results are final answers about the request and replay; 5xx say nothing about it.
  keepsResult: (status, replay5xx) => status < 500 || replay5xx,
  onInFlight: async () => problems.inFlight(),
  onMismatch: async () => {},
  renderReplay: (stored) => stored,
  // Fail closed: without the store we cannot know whether this key already ran.
  onStoreError: async () => problems.storeUnavailable(),
};
