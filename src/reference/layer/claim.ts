// Claiming a key: the one step that must be atomic. The correct strategy lets the store decide in a
// single begin() call; the `race` flaw swaps in check-then-set.
import type { IdempotencyStore, StoredResponse } from '../store/types.js';

export interface ClaimContext {
  store: IdempotencyStore;
  /** Scoped store key (tenant and idempotency key). */
  key: string;
  fingerprint: string;
  leaseMs: number;
  retentionMs: number;
  /** Route pattern, passed to the store (per-endpoint storage accounting). */
  route?: string;
}

/** What happens to a claim once the handler has finished (or died). */
export type Settlement =
  | { kind: 'store'; response: StoredResponse }
  | { kind: 'release' }
  /** The worker died: touch nothing, the lease decides when the key is free again. */
  | { kind: 'abandon' };

export interface NewClaim {
  kind: 'new';
  /** The store's fencing token, when the claim has one (the atomic claim always does). */
  token?: string;
  /**
   * Renews the claim's lease for another leaseMs from now (the heartbeat while the handler runs).
   * Resolves false when the claim was lost (lease expired, key released or re-claimed); rejects on store errors.
   */
  renew(): Promise<boolean>;
  /** Resolves false when the claim was lost meanwhile (lease expired and the key re-claimed). */
  settle(settlement: Settlement): Promise<boolean>;
}

export type ClaimResult = NewClaim | { kind: 'in-flight' } | { kind: 'completed'; response: StoredResponse } | { kind: 'mismatch' };

export type ClaimStrategy = (ctx: ClaimContext) => Promise<ClaimResult>;

/** Claim-or-fetch in one store call; complete/release are fenced by the claim's token. */
export const atomicClaim: ClaimStrategy = async ({ store, key, fingerprint, leaseMs, retentionMs, route }) => {
  const begun = await store.begin(key, fingerprint, route === undefined ? { leaseMs } : { leaseMs, route });
  if (begun.kind !== 'new') return begun;
  const { token } = begun;
  return {
    kind: 'new',
    token,
    renew: () => store.extend(key, token, leaseMs),
    // Not async: the store's own promise is handed on (an async wrapper would add ticks per request).
    settle: (settlement) => {
      switch (settlement.kind) {
        case 'store':
          return store.complete(key, token, settlement.response, retentionMs);
        case 'release':
          return store.release(key, token);
        case 'abandon':
          return Promise.resolve(true);
      }
    },
  };
};
