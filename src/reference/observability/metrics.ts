// Prometheus metrics of the idempotency layer. They register into the registry the app passes (by
// default prom-client's global registry, the one most apps already expose), so they show up on the
// app's own /metrics. Names and units follow the Prometheus conventions (base units, _total for
// counters, _seconds and _bytes suffixes). Labels are bounded: `route` is a route pattern (see
// LayerOptions.routeOf) capped at maxRoutes distinct values, `outcome` and `op` are closed sets.
import { Counter, Gauge, Histogram, register as globalRegistry, type Registry } from 'prom-client';
import type { EventListener, Outcome, StoreOp } from '../layer/types.js';

/** Outcomes shown from a route's first request (at 0), so dashboards see the series before the first event. */
const COUNTED_OUTCOMES: Outcome[] = ['new', 'replay', 'in_flight_conflict', 'mismatch', 'missing_key', 'invalid_key', 'store_error'];

/** Store calls are sub-millisecond in memory and around 0.5 ms on a local Redis (GUIDE section 5). */
const STORE_BUCKETS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** A storage read is reused by the scrapes within this window (both gauges of one scrape share it). */
const STORAGE_READ_REUSE_MS = 1000;

/** Routes beyond maxRoutes are counted under this one. */
export const OVERFLOW_ROUTE = 'other';

/** Live keys and stored bytes of one route and status, as PostgresStore.storageByRoute() reports them. */
export interface StorageSample {
  route: string;
  status: string;
  keys: number;
  bytes: number;
}

export interface ReferenceMetricsOptions {
  /** Registry to register into. Default: prom-client's global registry. */
  registry?: Registry;
  /** Most distinct `route` label values; later routes count as `other`. Default 100. */
  maxRoutes?: number;
  /** Storage per route for the idempotency_stored_* gauges, read at scrape time (e.g. () => pgStore.storageByRoute()). */
  storage?: () => Promise<StorageSample[]>;
  /**
   * Records a bounded store has evicted so far, for idempotency_store_evictions_total, read at scrape
   * time (e.g. () => memoryStore.evictions).
   */
  evictions?: () => number;
}

export interface ReferenceMetrics {
  readonly registry: Registry;
  /** Feed layer events here (LayerOptions.onEvent). */
  readonly onEvent: EventListener;
  /** Exposition text of the whole registry and its content type, for GET /metrics. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createReferenceMetrics(options: ReferenceMetricsOptions = {}): ReferenceMetrics {
  const registry = options.registry ?? globalRegistry;
  const maxRoutes = options.maxRoutes ?? 100;
  if (!Number.isInteger(maxRoutes) || maxRoutes < 1) throw new RangeError(`maxRoutes must be a positive integer, got ${maxRoutes}`);
  const registers = [registry];
  const requests = new Counter({
    name: 'idempotency_requests_total',
    help: 'Requests on protected methods, by route pattern and how the idempotency layer answered them',
    labelNames: ['route', 'outcome'] as const,
    registers,
  });
  const storeSeconds = new Histogram({
    name: 'idempotency_store_operation_duration_seconds',
    help: 'Duration of idempotency store calls, in seconds',
    labelNames: ['op'] as const,
    buckets: STORE_BUCKETS_SECONDS,
    registers,
  });
  const storeErrors = new Counter({
    name: 'idempotency_store_errors_total',
    help: 'Idempotency store calls that failed or timed out',
    labelNames: ['op'] as const,
    registers,
  });
  const inFlight = new Gauge({
    name: 'idempotency_in_flight_requests',
    help: 'Claimed keys whose handler is running now',
    registers,
  });
  const settleFailures = new Counter({
    name: 'idempotency_settle_failures_total',
    help: 'Side effects that ran but whose result could not be recorded for replay',
    registers,
  });
  const evictions = options.evictions;
  if (evictions) {
    // The store keeps the count; a scrape copies it (a counter only ever grows, and so does the store's).
    const made: Counter = new Counter({
      name: 'idempotency_store_evictions_total',
      help: 'Completed idempotency records dropped before their retention ended to keep the store within maxRecords (a retry of such a key runs again)',
      registers,
      collect() {
        const total = evictions();
        made.reset();
        if (total > 0) made.inc(total);
      },
    });
  }
  const storage = options.storage;
  if (storage) {
    // One storage read serves both gauges of a scrape (the registry may collect them in any order).
    let read: { at: number; samples: Promise<StorageSample[]> } | undefined;
    const samples = (): Promise<StorageSample[]> => {
      if (read === undefined || Date.now() - read.at > STORAGE_READ_REUSE_MS) read = { at: Date.now(), samples: storage().catch(() => []) };
      return read.samples;
    };
    const gauge = (name: string, help: string, field: 'keys' | 'bytes') => {
      const made: Gauge<'route' | 'status'> = new Gauge({
        name,
        help,
        labelNames: ['route', 'status'] as const,
        registers,
        async collect() {
          const found = await samples();
          made.reset();
          for (const sample of found) made.set({ route: sample.route, status: sample.status }, sample[field]);
        },
      });
    };
    gauge('idempotency_stored_keys', 'Live idempotency keys in the store, by route pattern and status (read at scrape time)', 'keys');
    gauge('idempotency_stored_bytes', 'Bytes of stored response envelopes, by route pattern and status (read at scrape time)', 'bytes');
  }

  // Label children bound once: inc/observe on a child skips the per-call label object and lookup.
  const requestsBy = new Map<string, Map<Outcome, Counter.Internal>>();
  const requestsOf = (route: string, outcome: Outcome): Counter.Internal => {
    let byOutcome = requestsBy.get(route);
    if (byOutcome === undefined) {
      if (requestsBy.size >= maxRoutes && route !== OVERFLOW_ROUTE) return requestsOf(OVERFLOW_ROUTE, outcome);
      byOutcome = new Map();
      requestsBy.set(route, byOutcome);
      for (const counted of COUNTED_OUTCOMES) requests.inc({ route, outcome: counted }, 0);
    }
    let child = byOutcome.get(outcome);
    if (child === undefined) {
      child = requests.labels(route, outcome);
      byOutcome.set(outcome, child);
    }
    return child;
  };
  const storeSecondsBy = new Map<StoreOp, Histogram.Internal<'op'>>();
  const storeSecondsOf = (op: StoreOp): Histogram.Internal<'op'> => {
    let child = storeSecondsBy.get(op);
    if (child === undefined) {
      child = storeSeconds.labels(op);
      storeSecondsBy.set(op, child);
    }
    return child;
  };

  const onEvent: EventListener = (event) => {
    switch (event.type) {
      case 'request':
        // Unprotected methods (GET /metrics itself, reads) are not idempotency traffic.
        if (event.outcome !== 'bypass') requestsOf(event.route, event.outcome).inc();
        break;
      case 'store':
        storeSecondsOf(event.op).observe(event.seconds);
        if (!event.ok) storeErrors.inc({ op: event.op });
        break;
      case 'in-flight':
        inFlight.inc(event.delta);
        break;
      case 'settle-failed':
        settleFailures.inc();
        break;
    }
  };

  return {
    registry,
    onEvent,
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
