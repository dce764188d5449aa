// A plain upstream that counts what reaches it, and clients that report exactly what came back
// through the proxy: a response, or the network error that replaced it.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request had fully arrived. */
  at: number;
}

export interface TestUpstream {
  url: string;
  readonly hits: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export interface UpstreamOptions {
  /** Time the upstream takes before answering (simulated work). */
  delayMs?: number;
  /** Answer with a body of this many bytes, sent chunked (no content-length). */
  chunkedBytes?: number;
}

export async function startUpstream(options: UpstreamOptions = {}): Promise<TestUpstream> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, at: performance.now() });
      const hit = seen.length;
      setTimeout(() => {
        if (options.chunkedBytes !== undefined) {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          const payload = Buffer.alloc(options.chunkedBytes, 'x');
          res.write(payload.subarray(0, payload.length >> 1));
          res.end(payload.subarray(payload.length >> 1));
          return;
        }
        const json = JSON.stringify({ hit, method: req.method, url: req.url, body });
        res.writeHead(201, [
          'Content-Type',
          'application/json',
          'Location',
          `/payments/${hit}`,
          'Set-Cookie',
          'a=1',
          'Set-Cookie',
          'b=2',
          'X-Upstream',
          'yes',
          'Keep-Alive',
          'timeout=99',
          'Content-Length',
          String(Buffer.byteLength(json)),
        ]);
        res.end(json);
      }, options.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get hits() {
      return seen.length;
    },
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface Sent {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: Buffer;
  /** The network error code when no complete response arrived. */
  error?: string;
  ms: number;
}

/** One request on its own connection (a reset must not leak into the next test's socket). */
export async function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<Sent> {
  const agent = new Agent({ pipelining: 0 });
  const started = performance.now();
  try {
    const res = await request(url, {
      method: (init.method ?? 'POST') as 'POST',
      headers: init.headers ?? {},
      body: init.body ?? null,
      dispatcher: agent,
      headersTimeout: init.timeoutMs ?? 10_000,
      bodyTimeout: init.timeoutMs ?? 10_000,
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, headers: res.headers, body, ms: performance.now() - started };
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).name;
    return { error: code, ms: performance.now() - started };
  } finally {
    await agent.destroy();
  }
}

export interface RawExchange {
  /** Every byte the proxy wrote before the connection ended. */
  bytes: Buffer;
  /** 'end' for a FIN, or the socket error code (ECONNRESET for a reset). */
  ending: string;
}

/** Writes a raw HTTP/1.1 request and records every byte until the connection ends (bounded by timeoutMs). */
export function rawExchange(url: string, text: string, timeoutMs = 5_000): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(port), hostname, () => socket.write(text));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of connection within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (ending: string): void => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(chunks), ending });
    };
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => done('end'));
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'error'));
  });
}

/** Polls a condition every 10 ms, at most `timeoutMs`; for effects that land after the answer. */
export async function eventually(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const RESET_CODES = ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'];
