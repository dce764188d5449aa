// Deliberately awkward targets for safety tests: one that never answers, one that answers only
// 5xx, one that counts what reaches it, one that redirects elsewhere.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  hits: () => number;
  close(): Promise<void>;
}

function listen(server: http.Server | net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

export async function httpServer(handler: http.RequestListener): Promise<TestServer> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits += 1;
    handler(req, res);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Accepts connections and never says a word. */
export async function hangingServer(): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  let hits = 0;
  const server = net.createServer((s) => {
    hits += 1;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
