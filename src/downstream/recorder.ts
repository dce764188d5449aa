// The downstream recorder: a fake dependency (service B) on a loopback port that the service under
// audit is configured to call instead of the real one. It records every call (method, path, the
// idempotency key and correlation id it carried, the names of all headers, a SHA-256 of the body,
// when it arrived), then answers a configured response, optionally late. It never fails on purpose:
// failures (latency, a lost answer, a 5xx after the commit) are the fault proxy's, which the audit and
// `idemaudit downstream` put in front of every recorder. Memory is bounded: a ring of the newest calls.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { listen, urlFor } from '../core/listen.js';
import { Ring } from './ring.js';

/** The recorder's own query route: never recorded. */
export const CALLS_PATH = '/_downstream/calls';

/** Header values a recorded call keeps besides the key and correlation headers; every other header keeps its name only. */
const KEPT_VALUES = ['content-type', 'traceparent', 'user-agent'];

export const DEFAULT_MAX_CALLS = 10_000;
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

export interface RecordedCall {
  /** Arrival order, from 1; stable while the recorder runs (a cursor for "calls since"). */
  seq: number;
  method: string;
  path: string;
  /** The idempotency key the call carried (sf-string quotes removed), null when it carried none. */
  key: string | null;
  /** The correlation id the call carried, null when none. */
  correlationId: string | null;
  /** Values of the key, correlation, content-type, traceparent and user-agent headers (lower-case names). */
  headers: Record<string, string>;
  /** Every header name the call carried, lower case, sorted (values of the others are never kept: they may be credentials). */
  headerNames: string[];
  bodySha256: string;
  bodyBytes: number;
  /** Epoch milliseconds (fractional) at which the whole request had arrived: the moment B "committed". */
  arrivedAt: number;
  /** What B answered (what its caller got may differ: a fault proxy in front may replace or drop it), or `pending` while it waits. */
  answer: number | 'pending';
}

export interface DownstreamResponse {
  status: number;
  body: string;
  contentType: string;
  /** Milliseconds B waits after committing, before it answers. */
  latencyMs: number;
}

export interface RecorderOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Header that carries the idempotency key at B; default Idempotency-Key. */
  keyHeader?: string;
  /** Header that carries the correlation id at B; default X-Request-Id. */
  correlationHeader?: string;
  response?: Partial<DownstreamResponse>;
  /** Calls kept (oldest forgotten first); default 10000. */
  maxCalls?: number;
  /** Request bytes hashed at most; a longer body is cut off and answered 413 (still recorded). */
  maxBodyBytes?: number;
}

export interface DownstreamRecorder {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  readonly keyHeader: string;
  readonly correlationHeader: string;
  /** Recorded calls with seq > after, oldest first. */
  calls(after?: number): RecordedCall[];
  /** The seq of the newest call so far (0 before any): pass it to calls() later for what came after. */
  cursor(): number;
  /** Calls forgotten because the ring was full. */
  dropped(): number;
  /** Waits until no call is being answered (or `maxWaits` turns of 10 ms passed), so a cursor taken next sees everything. */
  settle(maxWaits?: number): Promise<void>;
  close(): Promise<void>;
}

/** A key header value: an sf-string ("...") unquoted, anything else as sent. */
export function unquoteKey(raw: string): string {
  const v = raw.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(["\\])/g, '$1');
  return v;
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

export async function startDownstreamRecorder(options: RecorderOptions = {}): Promise<DownstreamRecorder> {
  const keyHeader = options.keyHeader ?? 'Idempotency-Key';
  const correlationHeader = options.correlationHeader ?? 'X-Request-Id';
  const response: DownstreamResponse = {
    status: options.response?.status ?? 201,
    body: options.response?.body ?? '{"status":"accepted"}',
    contentType: options.response?.contentType ?? 'application/json',
    latencyMs: options.response?.latencyMs ?? 0,
  };
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const ring = new Ring<RecordedCall>(options.maxCalls ?? DEFAULT_MAX_CALLS);
  let seq = 0;
  let answering = 0;
  const kept = [...new Set([keyHeader.toLowerCase(), correlationHeader.toLowerCase(), ...KEPT_VALUES])];

  const answerCalls = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://downstream.invalid');
    const after = Number(url.searchParams.get('since') ?? '0');
    const body = JSON.stringify({ calls: ring.since(Number.isFinite(after) ? after : 0), dropped: ring.dropped, capacity: ring.capacity }, null, 2);
    res.writeHead(200, { 'content-type': 'application/json' }).end(`${body}\n`);
  };

  const record = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const hash = createHash('sha256');
    let bytes = 0;
    let tooLarge = false;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      if (bytes + chunk.length > maxBodyBytes) {
        tooLarge = true;
        hash.update(chunk.subarray(0, Math.max(0, maxBodyBytes - bytes)));
        bytes = maxBodyBytes;
        break;
      }
      hash.update(chunk);
      bytes += chunk.length;
    }
    const headers: Record<string, string> = {};
    for (const name of kept) {
      const v = headerOf(req, name);
      if (v !== undefined) headers[name] = v;
    }
    const rawKey = headerOf(req, keyHeader);
    const correlation = headerOf(req, correlationHeader);
    seq += 1;
    const call: RecordedCall = {
      seq,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      key: rawKey === undefined || rawKey.trim() === '' ? null : unquoteKey(rawKey),
      correlationId: correlation === undefined || correlation.trim() === '' ? null : correlation.trim(),
      headers,
      headerNames: Object.keys(req.headers).sort(),
      bodySha256: hash.digest('hex'),
      bodyBytes: bytes,
      arrivedAt: performance.timeOrigin + performance.now(),
      answer: 'pending',
    };
    // Recorded first: whatever happens to the answer, B's side effect has happened (the commit).
    ring.push(call);
    if (tooLarge) {
      call.answer = 413;
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end('request body too large for the recorder\n');
      return;
    }
    if (response.latencyMs > 0) await sleep(response.latencyMs);
    call.answer = response.status;
    res.writeHead(response.status, { 'content-type': response.contentType, 'content-length': Buffer.byteLength(response.body) }).end(response.body);
  };

  const server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === CALLS_PATH) return answerCalls(req, res);
    answering += 1;
    record(req, res)
      .catch(() => {
        // A client that vanished mid-body: nothing to answer.
        if (!res.headersSent) res.destroy();
      })
      .finally(() => {
        answering -= 1;
      });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;

  return {
    url: urlFor(host, port),
    port,
    keyHeader,
    correlationHeader,
    calls: (after = 0) => ring.since(after),
    cursor: () => seq,
    dropped: () => ring.dropped,
    async settle(maxWaits = 200) {
      for (let i = 0; i < maxWaits && answering > 0; i++) await sleep(10);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
