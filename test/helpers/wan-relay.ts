// A jittery network path on loopback, for tests and benchmarks (not a product feature): a TCP relay
// that forwards every chunk after a seeded random delay, mean +/- jitter milliseconds, drawn per
// chunk, per direction, per connection. Order within a connection and direction is kept (a chunk
// never overtakes the one before it), as on a real path. Chunk boundaries are preserved and counted,
// so a test can see whether bytes written in one write arrived in one piece.
import net, { type AddressInfo } from 'node:net';
import { createRng } from '../../src/core/rng.js';

export interface WanRelayOptions {
  upstreamPort: number;
  upstreamHost?: string;
  /** Mean one-way delay per chunk, ms. */
  meanMs: number;
  /** Uniform jitter around the mean, ms: each delay is drawn from [mean - jitter, mean + jitter]. */
  jitterMs: number;
  seed: string;
}

export interface RelayedChunk {
  connection: number;
  direction: 'up' | 'down';
  bytes: number;
  /** The chunk's bytes (client to server only, for tests that look for frames). */
  data?: Buffer;
  delayMs: number;
}

export interface WanRelay {
  port: number;
  url(scheme?: 'http' | 'https'): string;
  /** Every chunk forwarded so far, in the order read. */
  chunks(): readonly RelayedChunk[];
  close(): Promise<void>;
}

export async function startWanRelay(opts: WanRelayOptions): Promise<WanRelay> {
  const rng = createRng(opts.seed);
  const log: RelayedChunk[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;

  const pipe = (from: net.Socket, to: net.Socket, connection: number, direction: 'up' | 'down', draw: () => number): void => {
    // One FIFO per direction, drained by one timer: a chunk never overtakes the one before it (two
    // timers due at the same millisecond may fire in either order, which would corrupt a stream).
    const queue: Array<{ chunk: Buffer; due: number }> = [];
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const drain = (): void => {
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && queue[0]!.due <= now) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(drain, queue[0]!.due - now);
      else if (ended) to.end();
    };
    from.on('data', (chunk: Buffer) => {
      const delayMs = Math.max(0, opts.meanMs + (draw() * 2 - 1) * opts.jitterMs);
      const last = queue.length > 0 ? queue[queue.length - 1]!.due : 0;
      const due = Math.max(Date.now() + delayMs, last);
      log.push({ connection, direction, bytes: chunk.length, delayMs, ...(direction === 'up' ? { data: Buffer.from(chunk) } : {}) });
      queue.push({ chunk, due });
      timer ??= setTimeout(drain, due - Date.now());
    });
    from.on('end', () => {
      ended = true;
      if (queue.length === 0) to.end();
    });
    from.on('error', () => to.destroy());
    from.on('close', () => {
      if (queue.length === 0) to.destroy();
    });
  };

  const server = net.createServer((client) => {
    const connection = (connections += 1);
    const upstream = net.connect({ port: opts.upstreamPort, host: opts.upstreamHost ?? '127.0.0.1' });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
    const up = rng.fork(`up/${connection}`);
    const down = rng.fork(`down/${connection}`);
    pipe(client, upstream, connection, 'up', () => up.next());
    pipe(upstream, client, connection, 'down', () => down.next());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (scheme = 'http') => `${scheme}://127.0.0.1:${port}`,
    chunks: () => log,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
