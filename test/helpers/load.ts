// Bounded concurrent load for the failure-mode tests: a fixed list of keyed POSTs driven through one
// undici Pool by `concurrency` workers, bounded in count (the list) and in time (a deadline), with
// every answer recorded for the oracles (status, replay marker, Retry-After, resource id, timings).
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface LoadRequest {
  /** Unquoted idempotency key; sent as an sf-string `"key"`. */
  key: string;
  /** Default POST /payments. */
  path?: string;
  /** JSON body; default a fixed payment. */
  body?: unknown;
}

export interface LoadResult {
  index: number;
  key: string;
  /** 0 when the exchange failed without an answer (see `error`). */
  status: number;
  /** `Idempotent-Replayed: true` was present. */
  replayed: boolean;
  retryAfter?: string;
  contentType?: string;
  /** `id` of a JSON body, when there is one. */
  id?: string;
  error?: string;
  /** performance.now() when the request was handed to the pool and when its answer was read. */
  startedAt: number;
  endedAt: number;
}

export interface LoadOptions {
  origin: string;
  requests: readonly LoadRequest[];
  concurrency: number;
  /** Hard bound on the whole run; requests not started by then are not sent. Default 60 s. */
  timeoutMs?: number;
  /** Awaited before request `index` is sent (to hold a segment back until the test releases it). */
  beforeRequest?: (index: number) => Promise<void> | void;
  /** Called after every answer, with the number answered so far. */
  onResult?: (result: LoadResult, answered: number) => void;
  /** Per-request header and body timeout; default 10 s. */
  requestTimeoutMs?: number;
}

export interface LoadRun {
  results: LoadResult[];
  /** Requests never sent because the deadline passed. */
  notSent: number;
  elapsedMs: number;
}

export const DEFAULT_PAYMENT = { amount: 1000, currency: 'EUR' };

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Sends every request once (no retries), `concurrency` at a time, over a Pool of as many connections. */
export async function runLoad(options: LoadOptions): Promise<LoadRun> {
  const { origin, requests, concurrency } = options;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1, headersTimeout: requestTimeoutMs, bodyTimeout: requestTimeoutMs });
  const results: LoadResult[] = new Array(requests.length);
  const started = performance.now();
  const deadline = started + timeoutMs;
  let next = 0;
  let answered = 0;
  let notSent = 0;

  async function one(index: number): Promise<LoadResult> {
    const request = requests[index]!;
    const body = JSON.stringify(request.body ?? DEFAULT_PAYMENT);
    const startedAt = performance.now();
    try {
      const res = await pool.request({
        path: request.path ?? '/payments',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `"${request.key}"` },
        body,
      });
      const text = await res.body.text();
      let id: string | undefined;
      if (text.startsWith('{')) {
        try {
          const parsed = JSON.parse(text) as { id?: unknown };
          if (typeof parsed.id === 'string') id = parsed.id;
        } catch {
          // not JSON after all: no id
        }
      }
      const result: LoadResult = {
        index,
        key: request.key,
        status: res.statusCode,
        replayed: header(res.headers, 'idempotent-replayed') === 'true',
        startedAt,
        endedAt: performance.now(),
      };
      const retryAfter = header(res.headers, 'retry-after');
      if (retryAfter !== undefined) result.retryAfter = retryAfter;
      const contentType = header(res.headers, 'content-type');
      if (contentType !== undefined) result.contentType = contentType;
      if (id !== undefined) result.id = id;
      return result;
    } catch (error) {
      return {
        index,
        key: request.key,
        status: 0,
        replayed: false,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        startedAt,
        endedAt: performance.now(),
      };
    }
  }

  async function worker(): Promise<void> {
    for (;;) {
      const index = next++;
      if (index >= requests.length) return;
      if (options.beforeRequest) await options.beforeRequest(index);
      if (performance.now() > deadline) {
        notSent++;
        continue;
      }
      const result = await one(index);
      results[index] = result;
      answered++;
      options.onResult?.(result, answered);
    }
  }

  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, requests.length)) }, worker));
  } finally {
    await pool.destroy();
  }
  return { results: results.filter((r): r is LoadResult => r !== undefined), notSent, elapsedMs: performance.now() - started };
}

/** Small deterministic PRNG (mulberry32), so a failing run can be replayed with its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `total` keys of which `Math.round(total * duplicateRatio)` repeat a key used earlier in the list.
 * A repeat picks one of the last `window` fresh keys, so many duplicates land while the original is
 * still in flight (409) and the others after it completed (replay).
 */
export function keysWithDuplicates(total: number, duplicateRatio: number, label: string, random: () => number, window = 50): string[] {
  const duplicates = Math.round(total * duplicateRatio);
  const isDuplicate = new Array<boolean>(total).fill(false);
  // Spread the duplicate slots at random, never in slot 0 (nothing to repeat yet).
  let placed = 0;
  while (placed < duplicates) {
    const slot = 1 + Math.floor(random() * (total - 1));
    if (!isDuplicate[slot]) {
      isDuplicate[slot] = true;
      placed++;
    }
  }
  const fresh: string[] = [];
  const keys: string[] = [];
  for (let i = 0; i < total; i++) {
    if (isDuplicate[i] && fresh.length > 0) {
      const from = Math.max(0, fresh.length - window);
      keys.push(fresh[from + Math.floor(random() * (fresh.length - from))]!);
    } else {
      const key = `${label}-${fresh.length}`;
      fresh.push(key);
      keys.push(key);
    }
  }
  return keys;
}
