// Small I/O helpers every check uses to talk to the target through its context.
import pLimit from 'p-limit';
import type { ExchangeMeta } from '../engine/client.js';
import type { Exchange } from '../core/exchange.js';
import type { RequestSpec } from '../engine/requests.js';
import type { CheckContext } from './api.js';

export function exchangeMeta(ctx: CheckContext<unknown>, label: string, key: string | null, tenant = ctx.requests.defaultTenant): ExchangeMeta {
  const meta: ExchangeMeta = { label, endpoint: ctx.endpoint.name };
  if (tenant) meta.tenant = tenant;
  if (key !== null) meta.key = key;
  return meta;
}

/** Build the endpoint's request per `spec` and send it, labelled for evidence. */
export function send(ctx: CheckContext<unknown>, label: string, spec: Omit<RequestSpec, 'endpoint'>): Promise<Exchange> {
  const tenant = spec.tenant ?? ctx.requests.defaultTenant;
  return ctx.http.send(ctx.requests.build({ endpoint: ctx.endpoint, ...spec }), exchangeMeta(ctx, label, spec.key, tenant));
}

/** At most this many of a check's independent requests are in flight at once (bursts excepted). */
export const PARALLEL_REQUESTS = 8;

/**
 * Run independent request tasks side by side, bounded so a check with many probes never floods a
 * shared staging target; results keep the tasks' order.
 */
export function inParallel<T>(tasks: Array<() => Promise<T>>, limit = PARALLEL_REQUESTS): Promise<T[]> {
  const gate = pLimit(limit);
  return Promise.all(tasks.map((task) => gate(task)));
}
