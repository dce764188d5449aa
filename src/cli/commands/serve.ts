// `idemaudit serve`: the reference server in the foreground until SIGINT/SIGTERM.
import { createReferenceLogger } from '../../reference/index.js';
import { startReferenceServer } from '../../demo/index.js';
import { createRedisStore } from '../../reference/store/redis/index.js';
import { MemoryStore } from '../../reference/store/memory.js';
import type { IdempotencyStore } from '../../reference/store/types.js';
import { UsageError } from '../../core/errors.js';
import type { CliIO } from '../io.js';

export interface ServeFlags {
  port: number;
  host: string;
  processingMs: number;
  flaw: string[];
  store: string;
  redisUrl: string;
  redisPrefix: string;
  ttl?: number;
  lease?: number;
  replay5xx?: boolean;
  logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
}

function createStore(flags: ServeFlags): IdempotencyStore {
  if (flags.store === 'memory') return new MemoryStore();
  if (flags.store === 'redis') return createRedisStore({ url: flags.redisUrl, prefix: flags.redisPrefix });
  throw new UsageError(`unknown store '${flags.store}'`, 'choose memory or redis');
}

export async function serveCommand(flags: ServeFlags, io: CliIO): Promise<number> {
  const store = createStore(flags);
  const server = await startReferenceServer({
    port: flags.port,
    host: flags.host,
    store,
    flaws: flags.flaw,
    processingMs: flags.processingMs,
    ...(flags.ttl !== undefined ? { retentionMs: flags.ttl } : {}),
    ...(flags.lease !== undefined ? { leaseMs: flags.lease } : {}),
    ...(flags.replay5xx ? { replay5xx: true } : {}),
    // JSON logs go to stderr so stdout keeps only the human lines (and the URL scripts wait for).
    logger: createReferenceLogger({ level: flags.logLevel ?? 'info', destination: { write: (line: string) => io.stderr.write(line) } }),
  });
  io.stdout.write(`reference server listening on ${server.url} (store ${store.name}${flags.flaw.length ? `, flaws: ${flags.flaw.join(', ')}` : ', no flaws'})\n`);
  io.stdout.write(`  POST ${server.url}/payments   ledger ${server.url}/_idemaudit/ledger   metrics ${server.url}/metrics\n`);
  await new Promise<void>((resolve) => {
    const off = io.onSignal(() => {
      off();
      resolve();
    });
  });
  io.stdout.write('shutting down: draining requests in flight (up to 10 s)\n');
  await server.close({ drainMs: 10_000 });
  await store.close();
  return 0;
}
