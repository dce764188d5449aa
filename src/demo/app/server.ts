// startReferenceServer: the demo app behind the idempotency layer on node:http, with its ledger,
// metrics and logs. Used by `idemaudit serve`, by target "self", and by the tests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CapturingServerResponse } from '../../reference/adapters/capture-response.js';
import { wrapNodeHandler } from '../../reference/adapters/node.js';
import { flawOption, parseFlawNames, type FlawName } from '../flaws/registry.js';
import { createIdempotencyLayer } from '../../reference/layer/layer.js';
import type { IdempotencyLayer, KeySyntax } from '../../reference/layer/types.js';
import { createReferenceLogger, logLayerEvents, type Logger } from '../../reference/observability/logger.js';
import { createReferenceMetrics, type ReferenceMetrics } from '../../reference/observability/metrics.js';
import { MemoryStore } from '../../reference/store/memory.js';
import type { IdempotencyStore } from '../../reference/store/types.js';
import { preciseNow } from '../../reference/layer/clock.js';
import { StoreOutageSwitch } from '../../reference/store/outage.js';
import { isStoreOutageRequest, sendStoreOutage } from './admin.js';
import { ledgerKeyOf } from './context.js';
import { Ledger } from './ledger.js';
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
  /** Simulated work before the side effect is recorded, so in-flight duplicates are observable. Default 50. */
  processingMs?: number;
  retentionMs?: number;
  leaseMs?: number;
  replay5xx?: boolean;
  keySyntax?: KeySyntax;
  maxBodyBytes?: number;
  storeTimeoutMs?: number;
  /** A client disconnecting mid-flight kills its request before the side effect (default true). */
  abandonOnDisconnect?: boolean;
  /** A pino logger to use; otherwise one is created at `logLevel`. */
  logger?: Logger;
  /** Default 'silent'. */
  logLevel?: 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

export interface ReferenceServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  server: Server;
  layer: IdempotencyLayer;
  ledger: Ledger;
  metrics: ReferenceMetrics;
  flaws: FlawName[];
  /** Stop accepting; with drainMs, let requests in flight finish (up to drainMs) before cutting the rest. */
  close(options?: { drainMs?: number }): Promise<void>;
}

export const DEFAULT_PROCESSING_MS = 50;


export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const flaws = parseFlawNames(options.flaws ?? []);
  const processingMs = options.processingMs ?? DEFAULT_PROCESSING_MS;
  if (!Number.isFinite(processingMs) || processingMs < 0) {
    throw new RangeError(`processingMs must be a non-negative number, got ${processingMs}`);
  }
  const ownsStore = options.store === undefined;
  const realStore = options.store ?? new MemoryStore();
  // Forwards every call until POST /_idemaudit/faults/store-outage turns an outage on.
  const storeOutage = new StoreOutageSwitch();
  const store = storeOutage.wrap(realStore);
  const logger = options.logger ?? createReferenceLogger({ level: options.logLevel ?? 'silent' });
  const metrics = createReferenceMetrics();
  const logEvent = logLayerEvents(logger);

  const layer = createIdempotencyLayer({
    store,
    flaws: flawOption(flaws),
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
  const ledger = new Ledger();
  const handler = createReferenceApp({
    layer,
    storeName: store.name,
    ledger,
    metrics,
    processingMs,
    abandonOnDisconnect: options.abandonOnDisconnect ?? true,
    payments: new Map(),
    refunds: new Map(),
    storeOutage,
  });

  const app = wrapNodeHandler(layer, handler);
  // The outage switch is answered before the idempotency layer: it is a test control, not a mutation.
  // CapturingServerResponse lets the adapter buffer the handler's answer without patching each response.
  const server: Server = createServer({ ServerResponse: CapturingServerResponse }, (req, res) =>
    isStoreOutageRequest(req) ? sendStoreOutage(storeOutage, req, res) : app(req, res),
  );
  // Arrival of every keyed request's last byte, executed or not (an 'end' listener does not start
  // reading the body, so the handler still consumes it as usual).
  server.on('request', (req) => {
    const key = ledgerKeyOf(req, layer.settings.keyHeader);
    if (key !== null) req.once('end', () => ledger.arrive(key, preciseNow()));
  });
  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const url = urlFor(host, port);
  logger.info({ url, store: store.name, flaws }, 'reference server listening');

  // Requests being handled, so a graceful shutdown can wait for them.
  let active = 0;
  let idle: (() => void) | undefined;
  server.on('request', (_req, res) => {
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
      server.closeIdleConnections();
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
      server.closeAllConnections();
      await closed;
      if (ownsStore) await store.close();
    })();
    return closing;
  };

  return { url, port, server, layer, ledger, metrics, flaws, close };
}
