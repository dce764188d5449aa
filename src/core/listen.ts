// Starting a node:http server on a port and naming its URL: shared by the reference server and the
// fault proxy, which both listen on 127.0.0.1 ephemeral ports in tests.
import type { Server } from 'node:http';

/** Listen, rejecting (instead of emitting 'error') when the port cannot be bound. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** http://host:port, with IPv6 literals bracketed. */
export function urlFor(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
