// Region-local key stores, for the demo's multi-instance topology. Two instances of one API that share
// a store (one Redis, same prefix) see each other's keys; these wrappers break that on purpose:
// - the `region-local-store` flaw keeps every key under a prefix of this instance, so each instance (or
//   region) claims and completes its own copy of a key: the same key sent to both executes twice;
// - `replicationLagMs` models asynchronous replication between regions: keys live in this instance's
//   own space, and a completed response is copied to the shared space `replicationLagMs` later, where
//   the other instances find it. A retry landing on another instance inside the lag executes again.
//   With a lag of 0 the copy is made before `complete` returns (synchronous replication, the
//   `instance-local-lock` flaw): every instance replays a completed key, but each still takes the
//   in-flight claim in its own space, so concurrent copies on two instances both execute.
import { randomUUID } from 'node:crypto';
import type { BeginResult, IdempotencyStore } from '../../reference/store/types.js';

/** Lease of the claim a replication takes on the shared key while it copies the response in. */
const REPLICATION_LEASE_MS = 30_000;

export interface RegionStoreOptions {
  /** Prefix of this instance's own keys (default: a random one per server). */
  region?: string;
  /** Copy completed responses to the shared key space after this many ms (0: before completing); unset: never (region-local). */
  replicationLagMs?: number;
}

export function regionStore(shared: IdempotencyStore, options: RegionStoreOptions = {}): IdempotencyStore {
  const region = options.region ?? randomUUID().slice(0, 8);
  const local = (key: string): string => `region:${region}:${key}`;
  const lag = options.replicationLagMs;
  // Fingerprints of this instance's claims, for the replicated copy (forgotten once replicated or released).
  const fingerprints = new Map<string, string>();
  const timers = new Set<NodeJS.Timeout>();
  // What a peer replicated: a completed (or mismatching) key is answered from the shared space.
  const replicated = async (key: string, fingerprint: string): Promise<BeginResult | undefined> => {
    if (lag === undefined) return undefined;
    const seen = await shared.lookup(key, fingerprint);
    return seen.kind === 'completed' || seen.kind === 'mismatch' ? seen : undefined;
  };
  return {
    name: `${shared.name} (${lag === undefined ? 'region-local' : lag === 0 ? 'completions replicated synchronously, claims local' : `replicated after ${lag} ms`}, region ${region})`,
    async begin(key, fingerprint, opts) {
      const peer = await replicated(key, fingerprint);
      if (peer) return peer;
      const result = await shared.begin(local(key), fingerprint, opts);
      if (result.kind === 'new' && lag !== undefined) fingerprints.set(key, fingerprint);
      return result;
    },
    async lookup(key, fingerprint) {
      return (await replicated(key, fingerprint)) ?? shared.lookup(local(key), fingerprint);
    },
    async complete(key, token, response, retentionMs) {
      const ok = await shared.complete(local(key), token, response, retentionMs);
      const fingerprint = fingerprints.get(key);
      fingerprints.delete(key);
      if (ok && lag !== undefined && fingerprint !== undefined) {
        // The copy is an ordinary claim and completion on the shared key; a key a peer already holds stays theirs.
        const copy = (): Promise<boolean> =>
          shared
            .begin(key, fingerprint, { leaseMs: REPLICATION_LEASE_MS })
            .then((r) => (r.kind === 'new' ? shared.complete(key, r.token, response, retentionMs) : false))
            .catch(() => false);
        if (lag === 0) {
          await copy();
        } else {
          const timer = setTimeout(() => {
            timers.delete(timer);
            void copy();
          }, lag);
          timers.add(timer);
        }
      }
      return ok;
    },
    release(key, token) {
      fingerprints.delete(key);
      return shared.release(local(key), token);
    },
    extend: (key, token, leaseMs) => shared.extend(local(key), token, leaseMs),
    async forget(key) {
      await shared.forget(local(key));
      if (lag !== undefined) await shared.forget(key);
    },
    // The shared store belongs to whoever passed it in (the server closes it when it owns it).
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
