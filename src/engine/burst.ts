// Last-byte synchronised burst: open one socket per copy, send every request except its final
// byte, wait until all of them sit in the kernel, then release the final bytes together. The
// server sees the copies complete within microseconds of each other, which is what exposes a
// check-then-set race. node:http is used rather than undici because its write callback says
// exactly when the partial request has been handed to the socket.
import http from 'node:http';
import https from 'node:https';
import type { ExchangeMeta, ExchangeSink, RequestGate, TlsOptions } from './client.js';
import { flattenHeaders, tlsConnectOptions } from './client.js';
import type { RunClock } from './clock.js';
import { type Exchange, type OutgoingRequest } from '../core/exchange.js';
import { describeNetError } from './net-error.js';
import { assertSocketBudget } from './fd-limit.js';
import { CappedReader } from './read-capped.js';
import { sleep } from './sleep.js';

export interface BurstItem {
  request: OutgoingRequest;
  meta: ExchangeMeta;
}

export interface BurstOptions {
  clock: RunClock;
  sink: ExchangeSink;
  nextSeq: () => number;
  timeoutMs: number;
  signal?: AbortSignal;
  tls?: TlsOptions;
  gate?: RequestGate;
  /** Response bytes kept per exchange (default 1 MiB). */
  maxBodyBytes?: number;
  /** Pause between priming and release; default 10 ms + 1 ms per copy (see burst()). */
  settleMs?: number;
}

interface Pending {
  item: BurstItem;
  req: http.ClientRequest;
  primed: Promise<void>;
  done: Promise<Exchange>;
  release: () => void;
}

function open(item: BurstItem, opts: BurstOptions, releasedAt: () => number): Pending {
  const url = new URL(item.request.url);
  const body = item.request.body ?? Buffer.alloc(0);
  const lib = url.protocol === 'https:' ? https : http;
  const headers = { ...item.request.headers, 'content-length': String(body.length), connection: 'close' };
  const req = lib.request(url, { method: item.request.method, headers, agent: false, ...tlsConnectOptions(opts.tls) });
  // No Nagle delay: the final byte must leave the moment it is released.
  req.once('socket', (socket) => socket.setNoDelay(true));
  const seq = opts.nextSeq();
  const openedAt = opts.clock.now();
  let settled = false;

  const done = new Promise<Exchange>((resolve) => {
    const onAbort = (): void => {
      finish({ error: 'aborted' });
      req.destroy();
    };
    const finish = (partial: Pick<Exchange, 'response'> | { error: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      // A copy that failed before the release is timed from when it was opened.
      const startedAt = releasedAt() || openedAt;
      const exchange: Exchange = { seq, ...item.meta, request: item.request, startedAt, durationMs: opts.clock.now() - startedAt, ...partial };
      opts.sink(exchange);
      resolve(exchange);
    };
    const timer = setTimeout(() => {
      finish({ error: `timeout after ${opts.timeoutMs} ms` });
      req.destroy();
    }, opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('response', (res) => {
      const body = new CappedReader(opts.maxBodyBytes ?? 1_048_576);
      res.on('data', (c: Buffer) => body.push(c));
      res.on('end', () => finish({ response: { status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), ...body.finish() } }));
      res.on('error', (err) => finish({ error: describeNetError(err) }));
    });
    req.on('error', (err) => finish({ error: describeNetError(err) }));
  });

  const head = body.subarray(0, Math.max(0, body.length - 1));
  const tail = body.subarray(head.length);
  const primed = new Promise<void>((resolve) => {
    if (head.length > 0) {
      req.flushHeaders();
      req.write(head, () => resolve());
    } else {
      // Without a body there is no byte to hold back: the connection is opened now and the whole
      // (small) request is written at the release, so only the write loop separates the copies.
      req.once('socket', (s) => (s.connecting ? s.once('connect', () => resolve()) : resolve()));
    }
    // A copy that cannot connect must not hold the others back.
    req.once('error', () => resolve());
  });
  return {
    item,
    req,
    primed,
    done,
    release: () => {
      if (!settled) req.end(tail);
    },
  };
}

export async function burst(items: BurstItem[], opts: BurstOptions): Promise<Exchange[]> {
  const refused = await opts.gate?.(
    items.map((i) => i.request),
    items.map((i) => i.meta),
  );
  if (refused !== undefined) {
    const at = opts.clock.now();
    return items.map((item) => ({ seq: opts.nextSeq(), ...item.meta, request: item.request, startedAt: at, durationMs: 0, error: refused }));
  }
  assertSocketBudget(items.length);
  let releasedAt = 0;
  const pending = items.map((item) => open(item, opts, () => releasedAt));
  let guard: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pending.map((p) => p.primed)), new Promise((resolve) => (guard = setTimeout(resolve, opts.timeoutMs)))]);
  clearTimeout(guard);
  // The kernel has every partial request, but the server may still be accepting connections and
  // parsing headers (measured here: ~0.4 ms per connection on 2 cores). Releasing before it caught
  // up would spread arrivals by its backlog rather than by the network, hiding races.
  await sleep(opts.settleMs ?? 10 + items.length, opts.signal);
  releasedAt = opts.clock.now();
  for (const p of pending) p.release();
  return Promise.all(pending.map((p) => p.done));
}
