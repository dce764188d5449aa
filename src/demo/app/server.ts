// startReferenceServer: the demo app behind the idempotency layer on node:http (or, with `tls`, on
// node:http2 speaking HTTP/2 and HTTP/1.1 over TLS), with its ledger, metrics and logs. Used by
// `idemaudit serve`, by target "self", and by the tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { Socket } from 'node:net';
import { ReferenceConfigError } from '../../reference/config-error.js';
import type { AddressInfo } from 'node:net';
import { CapturingServerResponse } from '../../reference/adapters/capture-response.js';
import { wrapNodeHandler } from '../../reference/adapters/node.js';
import { flawOption, parseFlawNames, type FlawName } from '../flaws/registry.js';
import { REDIS_ONLY_FLAWS } from '../flaws/redis-get-set.js';
import { createIdempotencyLayer } from '../../reference/layer/layer.js';
import { tenantFromAuthorization } from '../../reference/layer/tenant.js';
import type { IdempotencyLayer, KeySyntax } from '../../reference/layer/types.js';
import { createReferenceLogger, logLayerEvents, type Logger } from '../../reference/observability/logger.js';
import { Registry } from 'prom-client';
import { createReferenceMetrics, type ReferenceMetrics } from '../../reference/observability/metrics.js';
import type { PostgresStore } from '../../reference/store/postgres/store.js';
import { MemoryStore } from '../../reference/store/memory.js';
import type { IdempotencyStore } from '../../reference/store/types.js';
import { preciseNow } from '../../reference/layer/clock.js';
import { StoreOutageSwitch } from '../../reference/store/outage.js';
import { isStoreOutageRequest, sendStoreOutage } from './admin.js';
import { ledgerKeyOf } from './context.js';
import type { DownstreamKeying } from './downstream.js';
import { Ledger } from './ledger.js';
import { regionStore } from './region-store.js';
import { BoundedMap, DEFAULT_MAX_RECORDS } from './bounded-map.js';
import { createReferenceApp } from './routes.js';
import { listen, urlFor } from '../../core/listen.js';

export interface ReferenceServerOptions {
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default a fresh MemoryStore (closed with the server); a store passed in stays open. */
  store?: IdempotencyStore;
  /** Deliberate bugs to enable; unknown names throw, listing the known ones. */
  flaws?: readonly string[];
  /**
   * With the `race` flaw: milliseconds between the lookup and the claim (a race that narrow, measured
   * on the server's clock). Unset, the claim waits for the handler. Needs `race` in `flaws`.
   */
  raceWindowMs?: number;
  /** Simulated work before the side effect is recorded, so in-flight duplicates are observable. Default 50. */
  processingMs?: number;
  retentionMs?: number;
  leaseMs?: number;
  replay5xx?: boolean;
  keySyntax?: KeySyntax;
  maxBodyBytes?: number;
  /**
   * Serve the ledger (every tenant's resource ids) and the fault switches (store outage). Off by
   * default: never enable it on a server others can reach (`serve --admin`; `target: self` enables it).
   */
  admin?: boolean;
  /**
   * Keys the demo ledger, arrival times, payments and refunds keep at most (oldest forgotten first;
   * default 100000), and the maxRecords of the MemoryStore created when no `store` is passed.
   */
  maxRecords?: number;
  storeTimeoutMs?: number;
  /** A client disconnecting mid-flight kills its request before the side effect (default true). */
  abandonOnDisconnect?: boolean;
  /** A pino logger to use; otherwise one is created at `logLevel`. */
  logger?: Logger;
  /** Default 'silent'. */
  logLevel?: 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /**
   * Serve HTTPS with this certificate: HTTP/2 for clients that offer h2 over ALPN (so audits send
   * single-packet bursts), HTTP/1.1 for the others. See tlsCertificate() for a throwaway one.
   */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * Asynchronous replication between instances sharing a store: this instance's keys become visible to
   * the others only this many ms after completion (0: before the original is answered, while claims stay
   * local to each instance, as the instance-local-lock flaw; see app/region-store.ts). Unset: shared at once.
   */
  replicationLagMs?: number;
  /**
   * Base URL of service B: executing a payment first charges it there (POST <url>/charges, with a
   * stable derivation of the client's key; the downstream-* flaws break that). Unset, no call.
   */
  downstream?: string;
}

export interface ReferenceServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  server: Server | Http2SecureServer;
  layer: IdempotencyLayer;
  ledger: Ledger;
  metrics: ReferenceMetrics;
  flaws: FlawName[];
  /** Stop accepting; with drainMs, let requests in flight finish (up to drainMs) before cutting the rest. */
  close(options?: { drainMs?: number }): Promise<void>;
}

export const DEFAULT_PROCESSING_MS = 50;

function raceWindowOf(raceWindowMs: number | undefined, flaws: readonly FlawName[]): { raceWindowMs?: number } {
  if (raceWindowMs === undefined) return {};
  if (!Number.isFinite(raceWindowMs) || raceWindowMs <= 0) {
    throw new ReferenceConfigError(`raceWindowMs must be a number of milliseconds > 0, got ${raceWindowMs}`);
  }
  if (!flaws.includes('race')) throw new ReferenceConfigError("raceWindowMs sets the window of the 'race' flaw, which is not enabled");
  return { raceWindowMs };
}

/** How the payment route keys its call to service B under these flaws. */
function downstreamKeying(flaws: readonly FlawName[]): DownstreamKeying {
  if (flaws.includes('downstream-no-key')) return 'none';
  if (flaws.includes('downstream-fresh-key')) return 'fresh';
  return 'stable';
}

export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const flaws = parseFlawNames(options.flaws ?? []);
  const processingMs = options.processingMs ?? DEFAULT_PROCESSING_MS;
  if (!Number.isFinite(processingMs) || processingMs < 0) {
    throw new ReferenceConfigError(`processingMs must be a non-negative number, got ${processingMs}`);
  }
  const flawOptions = raceWindowOf(options.raceWindowMs, flaws);
  if (options.downstream !== undefined && !/^https?:\/\/[^/]/.test(options.downstream)) {
    throw new ReferenceConfigError(`downstream must be an http(s) URL, got ${options.downstream}`);
  }
  // A flaw in how the app calls service B means nothing without one: say so instead of "passing".
  const callFlaws = flaws.filter((f) => f === 'downstream-no-key' || f === 'downstream-fresh-key');
  if (callFlaws.length > 0 && options.downstream === undefined) {
    throw new ReferenceConfigError(
      `the ${callFlaws.join(', ')} flaw changes how payments call service B, which needs the downstream option (serve --downstream <url>)`,
    );
  }
  const ownsStore = options.store === undefined;
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  const givenStore = options.store ?? new MemoryStore({ maxRecords });
  const lag = options.replicationLagMs;
  if (lag !== undefined && (!Number.isInteger(lag) || lag < 0)) throw new ReferenceConfigError(`replicationLagMs must be whole milliseconds >= 0, got ${lag}`);
  const topology = flaws.filter((f) => f === 'region-local-store' || f === 'instance-local-lock');
  if (topology.length > 1)
    throw new ReferenceConfigError('region-local-store shares no key between instances, instance-local-lock shares completed ones: choose one');
  if (lag !== undefined && topology.length > 0)
    throw new ReferenceConfigError(
      `replicationLagMs replicates completed keys between instances, the ${topology[0]} flaw ${topology[0] === 'region-local-store' ? 'never does' : 'does it synchronously'}: choose one`,
    );
  // The multi-instance topology: keys of this instance only (region-local-store flaw), completed keys
  // replicated synchronously with claims kept local (instance-local-lock flaw), or replicated late.
  const realStore =
    topology.length > 0 || lag !== undefined
      ? regionStore(givenStore, flaws.includes('region-local-store') ? {} : { replicationLagMs: flaws.includes('instance-local-lock') ? 0 : lag! })
      : givenStore;
  // A GET-then-SET race across processes needs the processes to share a Redis; any other store would
  // show a different (or no) bug under the flaw's name.
  const needsRedis = flaws.filter((f) => REDIS_ONLY_FLAWS.includes(f));
  if (needsRedis.length > 0 && !givenStore.name.startsWith('redis')) {
    if (ownsStore) await givenStore.close();
    throw new ReferenceConfigError(`the ${needsRedis.join(', ')} flaw needs the redis store (got ${givenStore.name})`);
  }
  // Forwards every call until POST /_idemaudit/faults/store-outage turns an outage on.
  const storeOutage = new StoreOutageSwitch();
  const store = storeOutage.wrap(realStore);
  const logger = options.logger ?? createReferenceLogger({ level: options.logLevel ?? 'silent' });
  // A registry per server (several servers share a process in tests); storage gauges when the store reports them (PostgreSQL).
  const reportsStorage = realStore as Partial<Pick<PostgresStore, 'storageByRoute'>>;
  // Evictions when the store is bounded in records (MemoryStore).
  const countsEvictions = realStore instanceof MemoryStore ? realStore : undefined;
  const metrics = createReferenceMetrics({
    registry: new Registry(),
    ...(typeof reportsStorage.storageByRoute === 'function' ? { storage: () => reportsStorage.storageByRoute!.call(realStore) } : {}),
    ...(countsEvictions ? { evictions: () => countsEvictions.evictions } : {}),
  });
  const logEvent = logLayerEvents(logger);

  const layer = createIdempotencyLayer({
    store,
    // The demo's auth rule: the Authorization header is the principal (no token refresh in the demo).
    tenantOf: (req) => tenantFromAuthorization(req.headers),
    flaws: flawOption(flaws, flawOptions),
    retentionMs: options.retentionMs,
    leaseMs: options.leaseMs,
    replay5xx: options.replay5xx,
    keySyntax: options.keySyntax,
    maxBodyBytes: options.maxBodyBytes,
    storeTimeoutMs: options.storeTimeoutMs,
    onEvent: (event) => {
      metrics.onEvent(event);
      logEvent(event);
    },
  });
  const admin = options.admin === true;
  const ledger = new Ledger(maxRecords);
  const handler = createReferenceApp({
    layer,
    storeName: store.name,
    ledger,
    metrics,
    processingMs,
    abandonOnDisconnect: options.abandonOnDisconnect ?? true,
    payments: new BoundedMap(maxRecords),
    refunds: new BoundedMap(maxRecords),
    storeOutage,
    admin,
    // A lookup of a key nobody uses: any answer means the store works.
    storeCheck: () => store.lookup('__idemaudit_health__', ''),
    ...(options.downstream ? { downstream: { url: options.downstream, keying: downstreamKeying(flaws) } } : {}),
  });

  const app = wrapNodeHandler(layer, handler);
  // The outage switch is answered before the idempotency layer: it is a test control, not a mutation.
  // CapturingServerResponse lets the adapter buffer the handler's answer without patching each response.
  // Without admin, the outage switch is an ordinary unknown path for the app (404).
  const route = (req: IncomingMessage, res: ServerResponse): void =>
    admin && isStoreOutageRequest(req) ? sendStoreOutage(storeOutage, req, res) : app(req, res);
  // The HTTP/2 compatibility API's request and response have the same shape as node:http's for
  // everything the adapter and the app use (headers, url, writeHead, setHeader, write, end).
  const server: Server | Http2SecureServer = options.tls
    ? createSecureServer({ key: options.tls.key, cert: options.tls.cert, allowHTTP1: true }, route as unknown as Parameters<typeof createSecureServer>[1])
    : createServer({ ServerResponse: CapturingServerResponse }, route);
  // Every connection, so close() can cut the ones still open (http2 servers have no closeAllConnections).
  const sockets = new Set<Socket>();
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Arrival of every keyed request's last byte, executed or not (an 'end' listener does not start
  // reading the body, so the handler still consumes it as usual).
  server.on('request', (req: IncomingMessage) => {
    // Only mutations pass through the idempotency layer: a keyed GET flood records nothing.
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
    const key = ledgerKeyOf(req, layer.settings.keyHeader);
    if (key !== null) req.once('end', () => ledger.arrive(key, preciseNow()));
  });
  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const url = urlFor(host, port, options.tls ? 'https' : 'http');
  logger.info({ url, store: store.name, flaws }, 'reference server listening');

  // Requests being handled, so a graceful shutdown can wait for them.
  let active = 0;
  let idle: (() => void) | undefined;
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    active += 1;
    res.once('close', () => {
      active -= 1;
      if (active === 0) idle?.();
    });
  });

  let closing: Promise<void> | undefined;
  const close = (closeOptions: { drainMs?: number } = {}): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      // Draining lets in-flight requests finish and complete their claims, so no key is left
      // locked until its lease runs out; whatever is still running after drainMs is cut off.
      const drainMs = closeOptions.drainMs ?? 0;
      if (drainMs > 0 && active > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, drainMs);
          idle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      for (const socket of sockets) socket.destroy();
      await closed;
      // A region wrapper's close only clears its replication timers; the store under it is closed when owned.
      if (realStore !== givenStore) await store.close();
      if (ownsStore) await givenStore.close();
    })();
    return closing;
  };

  return { url, port, server, layer, ledger, metrics, flaws, close };
}
