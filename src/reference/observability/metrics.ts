// Prometheus metrics for one reference server. Each server gets its own registry (never prom-client's
// global one), so several servers in one process, as in tests, never share or clash on counters.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventListener, Outcome, StoreOp } from '../layer/types.js';

/** Outcomes shown from the start (at 0), so dashboards see the series before the first event. */
const COUNTED_OUTCOMES: Outcome[] = [
  'new',
  'replay',
  'in_flight_conflict',
  'mismatch',
  'missing_key',
  'invalid_key',
  'store_error',
];

/** Store calls are sub-millisecond in memory and around 0.5 ms on a local Redis (GUIDE section 5). */
const STORE_BUCKETS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface ReferenceMetrics {
  readonly registry: Registry;
  /** Feed layer events here. */
  readonly onEvent: EventListener;
  /** Exposition text and its content type, for GET /metrics. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createReferenceMetrics(): ReferenceMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'idempotency_requests_total',
    help: 'Requests on protected methods, by how the idempotency layer answered them',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const storeSeconds = new Histogram({
    name: 'idempotency_store_seconds',
    help: 'Duration of idempotency store calls',
    labelNames: ['op'] as const,
    buckets: STORE_BUCKETS_SECONDS,
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'idempotency_store_errors_total',
    help: 'Idempotency store calls that failed or timed out',
    labelNames: ['op'] as const,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'idempotency_in_flight',
    help: 'Claimed keys whose handler is running now',
    registers: [registry],
  });
  const settleFailures = new Counter({
    name: 'idempotency_settle_failures_total',
    help: 'Side effects that ran but whose result could not be recorded for replay',
    registers: [registry],
  });
  for (const outcome of COUNTED_OUTCOMES) requests.inc({ outcome }, 0);

  // Label children bound once: observe/inc on a child skips the per-call label object and lookup.
  const requestsBy = new Map<Outcome, Counter.Internal>();
  const requestsOf = (outcome: Outcome): Counter.Internal => {
    let child = requestsBy.get(outcome);
    if (child === undefined) {
      child = requests.labels(outcome);
      requestsBy.set(outcome, child);
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
        // Unprotected methods (GET /metrics itself, ledger reads) are not idempotency traffic.
        if (event.outcome !== 'bypass') requestsOf(event.outcome).inc();
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
