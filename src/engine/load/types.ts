// Shapes shared by the load executors: what to send, how to pace it, and what comes back.
import type { KeyFormat } from '../keys.js';
import type { Exchange } from '../../core/exchange.js';
import type { SlotKind } from './mix.js';
import type { Stage } from './schedule.js';
import type { LoadStats } from './stats.js';

export { EXECUTORS } from '../../scenario/check-options/load.js';
import type { EXECUTORS } from '../../scenario/check-options/load.js';
export type ExecutorName = (typeof EXECUTORS)[number];

/** One endpoint's request, prepared once: the hot path only adds the key header. */
export interface LoadRequestTemplate {
  /** Endpoint name, for exchanges and reports. */
  endpoint: string;
  tenant?: string;
  /** scheme://host:port */
  origin: string;
  /** Path (with the target's base path and query) sent on the wire. */
  path: string;
  method: string;
  /** Flat [name, value, ...] list, names lower-case, without the key header. */
  headers: string[];
  /** Lower-case name of the idempotency key header; null sends no key. */
  keyHeader: string | null;
  keyFormat: KeyFormat;
  /**
   * Body of the n-th fresh key (n from 1). Duplicates reuse their original's body byte for byte.
   * Usually a small pool of pre-rendered bodies cycled by n (see bodyPool), so rendering costs nothing per request.
   */
  body(n: number, key: string): Buffer | undefined;
}

export type ExecutorSpec =
  | { name: 'constant-arrival-rate'; rate: number; durationMs: number; connections: number; maxInFlight: number }
  | { name: 'ramping-arrival-rate'; startRate: number; stages: Stage[]; connections: number; maxInFlight: number }
  | { name: 'constant-connections'; connections: number; durationMs: number };

export interface StatusClasses {
  /** Statuses that mean "a duplicate arrived while the original was in flight" (409 under ietf-07). */
  inFlight: readonly number[];
  /** Statuses that mean "same key, different payload" (422 under ietf-07). */
  mismatch: readonly number[];
}

// The progress snapshot is part of what reports present (src/report/load-progress.ts).
export type { LoadProgress } from '../../report/model.js';
import type { LoadProgress } from '../../report/model.js';

export interface LoadOptions {
  template: LoadRequestTemplate;
  executor: ExecutorSpec;
  /** Hard cap on requests sent (protects staging targets); the run also ends at its duration. */
  maxRequests: number;
  /** Per-request header and body timeout, ms. */
  timeoutMs: number;
  duplicates: number;
  inFlightDuplicates: number;
  seed: string;
  statuses: StatusClasses;
  /** JSON pointer to the created resource id (identity oracle for duplicates). */
  identity?: string;
  /** Exchanges kept as a uniform sample of the run (default 200). */
  sampleSize?: number;
  /** Completed originals remembered for replays (default 256). */
  trackSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  /** Default 1000 ms. */
  progressIntervalMs?: number;
  /** Prefix of every key of the run; default derived from the seed ("ia-load-<hex>-"). */
  keyPrefix?: string;
  /**
   * This runner is shard `index` of `count` (0-based): it sends the slots index, index + count, ...
   * of the schedule (open model) with keys of its own (the prefix gets "<index>."); the caller
   * divides the connections. Shards of one run use the same seed.
   */
  shard?: { index: number; count: number };
  /**
   * This engine is worker thread `index` of `count` inside one runner (see workers.ts): it sends
   * its share of the runner's slots (index, index + count, ... of the runner's own schedule, after
   * any shard split) with keys under "<prefix>w<index>.", so no two workers ever make the same key.
   * The caller divides the connections, the in-flight cap and the request cap.
   */
  worker?: { index: number; count: number };
  /**
   * Stop sending when more than `rate` of the answers are errors, timeouts or 5xx, once at least
   * `minRequests` were answered (the target is in trouble; more load only hurts it).
   */
  bailout?: { rate: number; minRequests: number };
}

/** A pair of exchanges that shows something wrong: [original, duplicate]. */
export type EvidencePair = [Exchange, Exchange];

export interface LoadResult {
  executor: ExecutorName;
  /** Mean target rate (req/s) of the schedule; undefined for the closed model. */
  targetRate?: number;
  connections: number;
  /** Planned length (ms) and actual length from the first send to the last completion. */
  durationMs: number;
  elapsedMs: number;
  /** Requests the schedule planned (open model) within its duration. */
  planned?: number;
  sent: number;
  completed: number;
  /** Open model: slots skipped because maxInFlight requests were outstanding. */
  dropped: number;
  /** Open model: requests sent more than LATE_MS (5 ms) after their intended start (generator behind, or waiting for a connection). */
  late?: number;
  /** Open model: the largest delay (ms) between a request's intended start and its send. */
  maxLagMs?: number;
  /** The run stopped at maxRequests before its duration. */
  capped: boolean;
  /** The run was interrupted (signal). */
  aborted: boolean;
  /** Why the run stopped sending early (bail-out), if it did. */
  stoppedEarly?: string;
  kinds: Record<SlotKind, number>;
  stats: LoadStats;
  statuses: Record<string, number>;
  /** Network error reasons and how often they occurred. */
  errors: Record<string, number>;
  keyPrefix: string;
  shard?: { index: number; count: number };
  /** Worker threads that ran this load (absent: one, the calling thread). */
  workers?: number;
  /** Distinct keys sent (fresh requests). */
  keys: number;
  duplicates: {
    /** Replays whose status and body were compared with the original's. */
    replaysCompared: number;
    /** In-flight pairs whose two answers were compared. */
    pairsCompared: number;
    /** Duplicates proven executed again: their resource id differs from the original's. */
    identityDuplicates: number;
    /** Duplicates answered 2xx with another status or body than the original, same resource. */
    replayMismatches: number;
    /** Two 2xx answers for one key that differ, with no identity pointer to tell why. */
    unexplainedDifferences: number;
  };
  evidence: { identity: EvidencePair[]; mismatch: EvidencePair[]; unexplained: EvidencePair[] };
  /** Uniform sample of exchanges (bounded). */
  samples: Exchange[];
  /** Sample of keys that received duplicates (bounded), for per-key oracles after the run. */
  duplicatedKeys: string[];
}
