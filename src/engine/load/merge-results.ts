// One runner's result from the results of its worker threads (workers.ts): counts are summed,
// latency histograms are ADDED bucket by bucket (decoded from HdrHistogram's lossless encoding), so
// every percentile equals that of a single histogram of all the samples; samples and duplicated
// keys are re-drawn uniformly over the union; evidence is kept up to the engine's bound. Pure apart
// from the histograms it creates (the caller destroys result.stats like any run's).
import type { Exchange } from '../../core/exchange.js';
import type { Outcome } from '../../core/outcome.js';
import { createRng } from '../../core/rng.js';
import { MAX_ERROR_KINDS, MAX_EVIDENCE } from './engine.js';
import type { SlotKind } from './mix.js';
import { LoadStats, type EncodedPair, type Extremes } from './stats.js';
import type { LoadResult } from './types.js';

/** What a worker thread sends back: its result without the live histograms, which travel encoded. */
export interface WorkerShare {
  result: Omit<LoadResult, 'stats'>;
  stats: Partial<Record<Outcome, EncodedPair>>;
  /** The exact minimum and maximum of each histogram (the encoding keeps them only to its precision). */
  extremes: Partial<Record<Outcome, Extremes>>;
  /** How many exchanges the worker's sample reservoir was offered (to weigh its samples). */
  samplesSeen: number;
  /** How many duplicated keys the worker's key reservoir was offered. */
  duplicatedKeysSeen: number;
}

export interface MergeContext {
  /** Connections of the whole runner (the workers' shares add up to it). */
  connections: number;
  /** The prefix all the workers' keys share. */
  keyPrefix: string;
  sampleSize: number;
  duplicatedKeysSize: number;
  /** Seeds the re-draw of samples, so a seed reproduces the report. */
  seed: string;
}

/**
 * A uniform sample of `size` items from the union of several uniform samples: an item of a part
 * that saw `seen` items and kept `items.length` stands for seen / length of them (weighted sampling
 * without replacement, Efraimidis-Spirakis keys u^(1/w)).
 */
export function mergeSamples<T>(parts: Array<{ items: T[]; seen: number }>, size: number, uniform: () => number): T[] {
  const all: Array<{ item: T; key: number; order: number }> = [];
  let order = 0;
  for (const p of parts) {
    if (p.items.length === 0) continue;
    const weight = Math.max(1, p.seen) / p.items.length;
    for (const item of p.items) all.push({ item, key: Math.pow(uniform(), 1 / weight), order: order++ });
  }
  if (all.length <= size) return all.map((a) => a.item);
  all.sort((a, b) => b.key - a.key);
  // Keep the chosen ones in the order the parts listed them (stable reports).
  return all
    .slice(0, size)
    .sort((a, b) => a.order - b.order)
    .map((a) => a.item);
}

function sumRecord(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Error reasons summed, the number of kinds bounded like one engine bounds them. */
function mergeErrors(parts: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of parts) {
    for (const [reason, n] of Object.entries(p)) {
      if (reason in out || Object.keys(out).length < MAX_ERROR_KINDS) out[reason] = (out[reason] ?? 0) + n;
      else out.other = (out.other ?? 0) + n;
    }
  }
  return out;
}

export function mergeWorkerShares(shares: WorkerShare[], c: MergeContext): LoadResult {
  if (shares.length === 0) throw new RangeError('no worker results to merge');
  // A worker numbers its exchanges by its own slots; worker w of W sends the runner's slots
  // w, w + W, ... (open model), so (seq - 1) * W + w + 1 is the runner's slot: unique across workers.
  if (shares.length > 1) {
    shares.forEach((s, w) => {
      const renumber = (e: Exchange): void => {
        e.seq = (e.seq - 1) * shares.length + w + 1;
      };
      const r = s.result;
      r.samples.forEach(renumber);
      for (const list of [r.evidence.identity, r.evidence.mismatch, r.evidence.unexplained]) for (const pair of list) pair.forEach(renumber);
    });
  }
  const first = shares[0]!.result;
  const stats = new LoadStats();
  for (const s of shares) stats.add(s.stats, s.extremes);
  const sum = (f: (r: WorkerShare['result']) => number | undefined): number => shares.reduce((n, s) => n + (f(s.result) ?? 0), 0);
  const kinds: Record<SlotKind, number> = { fresh: 0, replay: 0, inflight: 0 };
  const statuses: Record<string, number> = {};
  const duplicates = { replaysCompared: 0, pairsCompared: 0, identityDuplicates: 0, replayMismatches: 0, unexplainedDifferences: 0 };
  const evidence: LoadResult['evidence'] = { identity: [], mismatch: [], unexplained: [] };
  for (const { result: r } of shares) {
    sumRecord(kinds, r.kinds);
    sumRecord(statuses, r.statuses);
    sumRecord(duplicates, r.duplicates);
    for (const list of ['identity', 'mismatch', 'unexplained'] as const) {
      for (const pair of r.evidence[list]) if (evidence[list].length < MAX_EVIDENCE) evidence[list].push(pair);
    }
  }
  const rng = createRng(`${c.seed}/load/workers-merge`);
  const sampleRng = rng.fork('samples');
  const keyRng = rng.fork('keys');
  const stopped = shares.map((s, i) => (s.result.stoppedEarly ? `worker ${i + 1} of ${shares.length}: ${s.result.stoppedEarly}` : undefined)).filter(Boolean);
  const result: LoadResult = {
    executor: first.executor,
    connections: c.connections,
    durationMs: first.durationMs,
    // The workers start together (workers.ts releases them at once): the run lasts as long as the longest share.
    elapsedMs: Math.max(...shares.map((s) => s.result.elapsedMs)),
    sent: sum((r) => r.sent),
    completed: sum((r) => r.completed),
    dropped: sum((r) => r.dropped),
    capped: shares.some((s) => s.result.capped),
    aborted: shares.some((s) => s.result.aborted),
    kinds,
    stats,
    statuses,
    errors: mergeErrors(shares.map((s) => s.result.errors)),
    keyPrefix: c.keyPrefix,
    workers: shares.length,
    keys: sum((r) => r.keys),
    duplicates,
    evidence,
    samples: mergeSamples(
      shares.map((s) => ({ items: s.result.samples, seen: s.samplesSeen })),
      c.sampleSize,
      () => sampleRng.next(),
    ),
    duplicatedKeys: mergeSamples(
      shares.map((s) => ({ items: s.result.duplicatedKeys, seen: s.duplicatedKeysSeen })),
      c.duplicatedKeysSize,
      () => keyRng.next(),
    ),
  };
  if (stopped.length > 0) result.stoppedEarly = stopped.join('; ');
  if (first.shard) result.shard = { ...first.shard };
  if (first.targetRate !== undefined) {
    // Each worker's schedule is its share of the runner's: the shares add up to the whole.
    result.targetRate = sum((r) => r.targetRate);
    result.planned = sum((r) => r.planned);
    result.late = sum((r) => r.late);
    result.maxLagMs = Math.max(...shares.map((s) => s.result.maxLagMs ?? 0));
  }
  return result;
}

/**
 * Buffers lose their class crossing a thread (structured clone makes them plain Uint8Arrays):
 * give the bodies of exchanges back their Buffer type, without copying.
 */
export function reviveExchange(e: Exchange): Exchange {
  const buf = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  if (e.request.body) e.request.body = buf(e.request.body);
  if (e.response) e.response.body = buf(e.response.body);
  return e;
}

/** reviveExchange over every exchange of a worker's result. */
export function reviveShare(share: WorkerShare): WorkerShare {
  const r = share.result;
  r.samples.forEach(reviveExchange);
  for (const list of [r.evidence.identity, r.evidence.mismatch, r.evidence.unexplained]) {
    for (const [a, b] of list) {
      reviveExchange(a);
      reviveExchange(b);
    }
  }
  return share;
}
