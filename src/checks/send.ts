// Small I/O helpers every check uses to talk to the target through its context.
import type { ExchangeMeta } from '../engine/client.js';
import type { Exchange } from '../engine/exchange.js';
import type { RequestSpec } from '../engine/requests.js';
import type { CheckContext } from './types.js';

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
