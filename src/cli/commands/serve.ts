// `idemaudit serve`: the reference server in the foreground until SIGINT/SIGTERM.
import { createReferenceLogger } from '../../reference/index.js';
import { readFileSync } from 'node:fs';
import { CertificateError, startReferenceServer, tlsCertificate } from '../../demo/index.js';
import { createRedisStore } from '../../reference/store/redis/index.js';
import { MemoryStore } from '../../reference/store/memory.js';
import { openPostgresStore } from './postgres-store.js';
import type { IdempotencyStore } from '../../reference/store/types.js';
import { UsageError } from '../../core/errors.js';
import type { CliIO } from '../io.js';

export interface ServeFlags {
  port: number;
  host: string;
  processingMs: number;
  flaw: string[];
  raceWindow?: number;
  store: string;
  redisUrl: string;
  redisPrefix: string;
  databaseUrl?: string;
  databaseSchema: string;
  ttl?: number;
  lease?: number;
  replay5xx?: boolean;
  maxRecords?: number;
  replicationLagMs?: number;
  admin?: boolean;
  logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  tls?: boolean;
  http2?: boolean;
  cert?: string;
  key?: string;
  downstream?: string;
}

/** The certificate for --tls: the files given, or a generated one whose file is printed for --ca. */
function tlsOf(flags: ServeFlags): { key: string; cert: string; certFile?: string } | undefined {
  if (!flags.tls && !flags.http2 && !flags.cert && !flags.key) return undefined;
  if ((flags.cert === undefined) !== (flags.key === undefined)) throw new UsageError('--cert and --key go together');
  if (flags.cert && flags.key) {
    const read = (file: string, what: string): string => {
      try {
        return readFileSync(file, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read the ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
    };
    return { cert: read(flags.cert, 'certificate'), key: read(flags.key, 'private key'), certFile: flags.cert };
  }
  try {
    return tlsCertificate();
  } catch (err) {
    if (err instanceof CertificateError) throw new UsageError(err.message);
    throw err;
  }
}

async function createStore(flags: ServeFlags): Promise<IdempotencyStore> {
  if (flags.store === 'memory') return new MemoryStore(flags.maxRecords !== undefined ? { maxRecords: flags.maxRecords } : {});
  if (flags.store === 'redis') return createRedisStore({ url: flags.redisUrl, prefix: flags.redisPrefix });
  if (flags.store === 'postgres') return openPostgresStore(flags.databaseUrl, flags.databaseSchema, { purgeIntervalMs: 60_000 });
  throw new UsageError(`unknown store '${flags.store}'`, 'choose memory, redis or postgres');
}

export async function serveCommand(flags: ServeFlags, io: CliIO): Promise<number> {
  if (flags.downstream !== undefined && !/^https?:\/\/[^/\s]+/.test(flags.downstream)) {
    throw new UsageError(
      `--downstream ${flags.downstream}: expected an http(s) URL`,
      'e.g. --downstream http://127.0.0.1:4100 (idemaudit downstream runs a recorder there)',
    );
  }
  const downstreamFlaws = flags.flaw.filter((f) => f.startsWith('downstream-'));
  if (downstreamFlaws.length > 0 && flags.downstream === undefined) {
    throw new UsageError(`--flaw ${downstreamFlaws.join(', ')} changes how the app calls service B, which needs --downstream <url>`);
  }
  if (flags.raceWindow !== undefined && !flags.flaw.includes('race')) {
    throw new UsageError('--race-window sets the window of the race flaw, which is not enabled', 'add --flaw race');
  }
  if (flags.flaw.includes('redis-get-set') && flags.store !== 'redis') {
    throw new UsageError(
      `--flaw redis-get-set races GET and SET across processes sharing one Redis: it needs --store redis (got --store ${flags.store})`,
      'add --store redis, and run two serve processes on one --redis-prefix behind a front that spreads connections',
    );
  }
  const tls = tlsOf(flags);
  const store = await createStore(flags);
  // A busy port must not leave the store's connection open (the process would hang, not exit 2).
  const server = await startReferenceServer({
    port: flags.port,
    host: flags.host,
    store,
    flaws: flags.flaw,
    processingMs: flags.processingMs,
    ...(flags.raceWindow !== undefined ? { raceWindowMs: flags.raceWindow } : {}),
    ...(flags.ttl !== undefined ? { retentionMs: flags.ttl } : {}),
    ...(flags.lease !== undefined ? { leaseMs: flags.lease } : {}),
    ...(flags.replay5xx ? { replay5xx: true } : {}),
    ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
    ...(flags.admin ? { admin: true } : {}),
    ...(flags.maxRecords !== undefined ? { maxRecords: flags.maxRecords } : {}),
    ...(flags.replicationLagMs !== undefined ? { replicationLagMs: flags.replicationLagMs } : {}),
    ...(flags.downstream !== undefined ? { downstream: flags.downstream } : {}),
    // JSON logs go to stderr so stdout keeps only the human lines (and the URL scripts wait for).
    logger: createReferenceLogger({ level: flags.logLevel ?? 'info', destination: { write: (line: string) => io.stderr.write(line) } }),
  }).catch(async (err: unknown) => {
    await store.close().catch(() => {});
    throw err;
  });
  io.stdout.write(
    `reference server listening on ${server.url} (store ${store.name}${flags.flaw.length ? `, flaws: ${flags.flaw.join(', ')}${flags.raceWindow !== undefined ? ` (race window ${flags.raceWindow} ms)` : ''}` : ', no flaws'})\n`,
  );
  io.stdout.write(
    flags.admin
      ? `  POST ${server.url}/payments   ledger ${server.url}/_idemaudit/ledger   metrics ${server.url}/metrics\n  admin routes on (ledger, fault switches): never expose this instance\n`
      : `  POST ${server.url}/payments   metrics ${server.url}/metrics   (ledger and fault switches off; --admin turns them on)\n`,
  );
  if (flags.downstream !== undefined) io.stdout.write(`  payments charge service B at ${flags.downstream}/charges\n`);
  if (tls?.certFile)
    io.stdout.write(`  HTTP/2 and HTTP/1.1 over TLS; trust the certificate with: idemaudit run ... --target ${server.url} --ca ${tls.certFile}\n`);
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
