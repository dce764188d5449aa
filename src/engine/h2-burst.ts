// HTTP/2 single-packet burst (PortSwigger's "single-packet attack", 2023): every copy is a stream of
// ONE HTTP/2 connection. Each stream's HEADERS and all of its body but the final byte go out first;
// a PING round trip then proves the peer has read them; finally every stream's last DATA frame
// (END_STREAM) is queued in the same tick, so Node's HTTP/2 session serialises them into one socket
// write: the final frames travel together, in as few TCP segments as their size needs, and network
// jitter between the auditor and the server can no longer separate the copies.
//
// Why one write: Http2Session schedules its socket write for the next turn of the event loop after
// the first queued frame (MaybeScheduleWrite), and sends every frame queued by then in one batch.
// Each final frame is 10 bytes (9-byte frame header + 1 body byte), so 64 copies need 640 bytes:
// one segment at any usual MSS. `segments` in the result states how many the release needed.
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { BurstItem, BurstOptions } from './burst.js';
import { tlsConnectOptions } from './client.js';
import { CappedBody, type Exchange } from '../core/exchange.js';
import { describeNetError } from './net-error.js';
import { sleep } from './sleep.js';

/** Bytes of one final DATA frame: the 9-byte frame header and the one body byte held back. */
const FINAL_FRAME_BYTES = 9 + 1;
/** A conservative TCP payload per segment (Ethernet MTU 1500 less IPv4/IPv6 and TCP headers with options). */
export const SEGMENT_PAYLOAD_BYTES = 1400;

/** Headers HTTP/2 forbids (RFC 9113 section 8.2.2) or carries as pseudo-headers. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'te']);

export interface H2BurstResult {
  exchanges: Exchange[];
  /** TCP segments the release needed at SEGMENT_PAYLOAD_BYTES each (1 for any burst up to 140 copies). */
  segments: number;
  /** The protocol the connection used (always h2 here; stated for the report). */
  protocol: 'h2';
}

function headersFor(item: BurstItem, url: URL, bodyLength: number): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {
    ':method': item.request.method,
    ':path': `${url.pathname}${url.search}`,
    ':authority': url.host,
    ':scheme': url.protocol.replace(':', ''),
  };
  for (const [name, value] of Object.entries(item.request.headers)) {
    const lower = name.toLowerCase();
    if (!CONNECTION_HEADERS.has(lower)) out[lower] = value;
  }
  out['content-length'] = String(bodyLength);
  return out;
}

/** Opens one HTTP/2 session: ALPN h2 for https, prior knowledge (h2c) for http. */
export function connectH2(origin: string, opts: Pick<BurstOptions, 'tls' | 'timeoutMs'>): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const url = new URL(origin);
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // Our own socket, so Nagle is off before the first byte (the session forbids touching it later).
    const createConnection = (): Duplex => {
      const socket =
        url.protocol === 'https:'
          ? tls.connect({ host, port, ALPNProtocols: ['h2'], ...(net.isIP(host) ? {} : { servername: host }), ...tlsConnectOptions(opts.tls) })
          : net.connect({ host, port });
      socket.setNoDelay(true);
      return socket;
    };
    const session = http2.connect(origin, { createConnection });
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`no HTTP/2 connection within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    session.once('connect', () => {
      clearTimeout(timer);
      resolve(session);
    });
    session.once('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** A PING round trip; resolves also when the peer cannot answer (the copies then fail on their own). */
function ping(session: ClientHttp2Session): Promise<void> {
  return new Promise((resolve) => {
    if (!session.ping(() => resolve())) resolve();
  });
}

/**
 * Sends `items` (same origin) as streams of one HTTP/2 connection with a single-packet release.
 * A connection that cannot be made fails every copy with the reason (nothing was sent).
 */
export async function h2Burst(items: BurstItem[], opts: BurstOptions): Promise<H2BurstResult> {
  const refused = await opts.gate?.(
    items.map((i) => i.request),
    items.map((i) => i.meta),
  );
  const failAll = (error: string): H2BurstResult => {
    const at = opts.clock.now();
    return {
      exchanges: items.map((item) => ({ seq: opts.nextSeq(), ...item.meta, request: item.request, startedAt: at, durationMs: 0, error })),
      segments: 0,
      protocol: 'h2',
    };
  };
  if (refused !== undefined) return failAll(refused);
  const origin = new URL(items[0]!.request.url).origin;
  let session: ClientHttp2Session;
  try {
    session = await connectH2(origin, opts);
  } catch (err) {
    return failAll(describeNetError(err));
  }
  session.on('error', () => {
    // Per-stream errors settle each copy; a session error also closes every stream.
  });
  let releasedAt = 0;
  const streams = items.map((item) => openStream(session, item, opts, () => releasedAt));
  let guard: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(streams.map((s) => s.primed)), new Promise((resolve) => (guard = setTimeout(resolve, opts.timeoutMs)))]);
  clearTimeout(guard);
  // The peer has read every HEADERS frame and partial body once it answered a PING sent after them.
  await ping(session);
  if (opts.settleMs) await sleep(opts.settleMs, opts.signal);
  releasedAt = opts.clock.now();
  // Same tick: the session sends all the final frames in one write.
  for (const s of streams) s.release();
  const exchanges = await Promise.all(streams.map((s) => s.done));
  session.close();
  return { exchanges, segments: Math.max(1, Math.ceil((items.length * FINAL_FRAME_BYTES) / SEGMENT_PAYLOAD_BYTES)), protocol: 'h2' };
}

interface OpenStream {
  primed: Promise<void>;
  done: Promise<Exchange>;
  release(): void;
}

function openStream(session: ClientHttp2Session, item: BurstItem, opts: BurstOptions, releasedAt: () => number): OpenStream {
  const url = new URL(item.request.url);
  const body = item.request.body ?? Buffer.alloc(0);
  const seq = opts.nextSeq();
  const openedAt = opts.clock.now();
  let stream: ClientHttp2Stream | undefined;
  let settled = false;
  let resolveDone!: (e: Exchange) => void;
  const done = new Promise<Exchange>((r) => (resolveDone = r));
  const timer = setTimeout(() => finish({ error: `timeout after ${opts.timeoutMs} ms` }), opts.timeoutMs);
  const onAbort = (): void => finish({ error: 'aborted' });
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  function finish(partial: Pick<Exchange, 'response'> | { error: string }): void {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    if ('error' in partial) stream?.close(http2.constants.NGHTTP2_CANCEL);
    const startedAt = releasedAt() || openedAt;
    const exchange: Exchange = { seq, ...item.meta, request: item.request, startedAt, durationMs: opts.clock.now() - startedAt, ...partial };
    opts.sink(exchange);
    resolveDone(exchange);
  }

  // Without a body the stream still holds its END_STREAM back: an empty final DATA frame ends it.
  const head = body.subarray(0, Math.max(0, body.length - 1));
  const tail = body.subarray(head.length);
  let primed: Promise<void>;
  try {
    stream = session.request(headersFor(item, url, body.length), { endStream: false });
    const s = stream;
    // HEADERS are queued by request() itself; the PING after priming proves the peer read them.
    primed =
      head.length === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            s.write(head, () => resolve());
            s.once('error', () => resolve());
          });
    let status = 0;
    let headers: Record<string, string> = {};
    const capped = new CappedBody(opts.maxBodyBytes ?? 1_048_576);
    s.on('response', (h) => {
      status = Number(h[':status'] ?? 0);
      headers = {};
      for (const [name, value] of Object.entries(h)) {
        if (name.startsWith(':') || value === undefined) continue;
        headers[name] = Array.isArray(value) ? value.join(name === 'set-cookie' ? '\n' : ', ') : String(value);
      }
    });
    s.on('data', (c: Buffer) => capped.push(c));
    s.on('end', () => finish({ response: { status, headers, ...capped.finish() } }));
    s.on('error', (err) => finish({ error: describeNetError(err) }));
    s.on('close', () => {
      if (!settled) finish({ error: status ? 'stream closed before the body ended' : `stream closed (code ${s.rstCode ?? 'unknown'})` });
    });
  } catch (err) {
    finish({ error: describeNetError(err) });
    primed = Promise.resolve();
  }
  return {
    primed,
    done,
    release: () => {
      if (!settled && stream && !stream.destroyed) stream.end(tail);
    },
  };
}
