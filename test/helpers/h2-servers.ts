// HTTP/2 and HTTPS servers for burst tests: a key store with a check-then-set window of a chosen
// width (0: atomic, the correct server), answering 201 to the copy that executes and 409 to the
// others. Each request is judged when its body has fully arrived, as a real handler would.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RaceServer {
  port: number;
  url: string;
  /** Executions per key so far. */
  executions(key: string): number;
  /** Server-side times (ms, monotonic) at which each request of `key` had its whole body. */
  arrivals(key: string): number[];
  close(): Promise<void>;
}

export interface RaceServerOptions {
  /** Width of the check-then-set window in ms; 0 makes claiming atomic. */
  windowMs: number;
  protocol: 'h2c' | 'h2' | 'https' | 'http';
}

let cachedCert: { key: string; cert: string } | undefined;

/** A throwaway self-signed certificate for 127.0.0.1, made with openssl once per test process. */
export function selfSignedCert(): { key: string; cert: string } {
  if (cachedCert) return cachedCert;
  const dir = mkdtempSync(path.join(tmpdir(), 'idemaudit-cert-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  cachedCert = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  return cachedCert;
}

export async function startRaceServer(opts: RaceServerOptions): Promise<RaceServer> {
  const executions = new Map<string, number>();
  const arrivals = new Map<string, number[]>();

  // The window is logical, measured on the server's clock: a copy executes when it arrives less than
  // windowMs after the first copy was claimed (its check ran before the first copy's set). A timer
  // would widen the window by however late the event loop is, which a loaded machine makes large.
  const firstClaim = new Map<string, number>();
  const handle = (key: string, respond: (status: number, body: string) => void): void => {
    const now = performance.now();
    (arrivals.get(key) ?? arrivals.set(key, []).get(key)!).push(now);
    const first = firstClaim.get(key);
    if (first !== undefined && (opts.windowMs === 0 || now - first >= opts.windowMs)) return respond(409, '{"status":409}');
    if (first === undefined) firstClaim.set(key, now);
    executions.set(key, (executions.get(key) ?? 0) + 1);
    respond(201, JSON.stringify({ id: `pay-${key}-${executions.get(key)}` }));
  };

  const onRequest = (
    req: http2.Http2ServerRequest | import('node:http').IncomingMessage,
    res: http2.Http2ServerResponse | import('node:http').ServerResponse,
  ): void => {
    const key = String(req.headers['idempotency-key'] ?? '');
    req.resume();
    req.on('end', () =>
      handle(key, (status, body) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body);
      }),
    );
  };

  const server =
    opts.protocol === 'http'
      ? http.createServer(onRequest)
      : opts.protocol === 'h2c'
        ? http2.createServer(onRequest)
        : opts.protocol === 'h2'
          ? http2.createSecureServer({ ...selfSignedCert(), allowHTTP1: false }, onRequest)
          : https.createServer({ ...selfSignedCert() }, onRequest);
  const open = new Set<{ destroy(): void }>();
  server.on('session', (session: http2.ServerHttp2Session) => {
    open.add(session);
    session.on('close', () => open.delete(session));
  });
  server.on(opts.protocol === 'http' ? 'connection' : 'secureConnection', (socket: import('node:net').Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const scheme = opts.protocol === 'h2c' || opts.protocol === 'http' ? 'http' : 'https';
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    executions: (key) => executions.get(key) ?? 0,
    arrivals: (key) => arrivals.get(key) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const o of open) o.destroy();
        server.close(() => resolve());
      }),
  };
}
