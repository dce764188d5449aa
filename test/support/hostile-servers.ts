// Hostile targets for the issue-13 regression tests (real sockets, 127.0.0.1, port 0): a server
// that streams an endless body and counts what it managed to write, one that reflects every
// secret it receives in every place a report shows, and one whose answers carry terminal escapes.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface HostileServer {
  url: string;
  port: number;
  /** Requests received, by "METHOD path" (query string left out). */
  hits: Map<string, number>;
  close(): Promise<void>;
}

async function serve(handler: http.RequestListener): Promise<HostileServer> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const id = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    hits.set(id, (hits.get(id) ?? 0) + 1);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Answers every request 200 with a body that never ends (64 KiB chunks, written as fast as the
 * client reads), and counts the bytes written per request. `limitBytes` ends each body after that
 * many bytes as a backstop, so a test that fails cannot run forever.
 */
export async function endlessBodyServer(opts: { limitBytes?: number; contentType?: string } = {}): Promise<HostileServer & { written: () => number }> {
  let written = 0;
  const limit = opts.limitBytes ?? 256 * 1024 * 1024;
  const chunk = Buffer.alloc(65_536, 0x61);
  const s = await serve((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': opts.contentType ?? 'application/json' });
    let sent = 0;
    const pump = (): void => {
      while (sent < limit) {
        sent += chunk.length;
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  });
  return { ...s, written: () => written };
}

/**
 * An API that reflects whatever secrets reach it: request headers and the URL come back in the
 * JSON body, in a Location header, URL-encoded and base64-encoded, and as a plain-text line.
 */
export async function reflectingServer(opts: { idEchoesAuthorization?: boolean } = {}): Promise<HostileServer> {
  let n = 0;
  return serve((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      n += 1;
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = JSON.stringify(req.headers);
      const reflected = {
        // With idEchoesAuthorization the resource id itself carries the credential, so it reaches
        // every place an identity is written (the chaos history's `identity`, oracle `ids`).
        id: opts.idEchoesAuthorization ? `res_${n}_${String(req.headers.authorization ?? '')}` : `res_${n}`,
        echo: { url: req.url, headers: req.headers, body },
        encoded: encodeURIComponent(headers),
        b64: Buffer.from(headers).toString('base64'),
        text: `you sent ${headers} to ${req.url}`,
      };
      res.writeHead(201, {
        'content-type': 'application/json',
        location: `/echo?u=${encodeURIComponent(req.url ?? '')}&auth=${encodeURIComponent(String(req.headers.authorization ?? ''))}`,
        'x-echo-auth': String(req.headers.authorization ?? '').replace(/[^\x20-\x7e]/g, ''),
      });
      res.end(JSON.stringify(reflected));
    });
  });
}

/** Terminal escape sequences a hostile body or header could carry: clear screen, window title, OSC 8 link, bell. */
export const ESCAPES = ['\x1b[2J\x1b[H', '\x1b]0;pwned\x07', '\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\', '\x07', '\x9b31m'];

/** Answers 500 (so the answer shows up in findings) with a plain-text body and a status reason full of escapes. */
export async function escapeServer(): Promise<HostileServer> {
  return serve((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(500, { 'content-type': 'text/plain', 'x-note': 'ok' });
      res.end(`boom ${ESCAPES.join(' ')} end`);
    });
  });
}

/**
 * Answers every request with a status line and then header lines that never end (no blank line),
 * over a raw socket, counting the bytes written. `limitBytes` per connection is the backstop.
 */
export async function endlessHeadersServer(opts: { limitBytes?: number } = {}): Promise<Omit<HostileServer, 'hits'> & { written: () => number }> {
  let written = 0;
  const limit = opts.limitBytes ?? 64 * 1024 * 1024;
  const line = Buffer.from(`X-Filler: ${'h'.repeat(1000)}\r\n`, 'latin1');
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let started = false;
    socket.on('data', () => {
      if (started) return;
      started = true;
      let sent = 0;
      socket.write('HTTP/1.1 200 OK\r\n');
      const pump = (): void => {
        while (sent < limit && !socket.destroyed) {
          sent += line.length;
          written += line.length;
          if (!socket.write(line)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    written: () => written,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
