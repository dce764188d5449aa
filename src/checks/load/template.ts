// The request a load run sends, prepared once from the scenario's endpoint: headers without the
// key, and bodies pre-rendered into a pool unless the body template uses the key itself.
import { bodyPool, type PortableTemplate } from '../../engine/load/index.js';
import type { LoadRequestTemplate } from '../../engine/load/types.js';
import type { LoadCheckOptions } from '../../scenario/check-options/load.js';
import { placeholdersIn } from '../../scenario/template.js';
import type { CheckContext } from '../api.js';

/** Pool of pre-rendered bodies cycled by fresh keys (templates render once, not per request). */
const BODY_POOL = 64;

function usesKey(body: unknown): boolean {
  return placeholdersIn(typeof body === 'string' ? body : JSON.stringify(body)).includes('key');
}

/** Everything of the template but its body. */
function requestOf(ctx: CheckContext<LoadCheckOptions>): Omit<LoadRequestTemplate, 'body'> {
  const endpoint = ctx.endpoint;
  const tenant = ctx.options.tenant ?? ctx.requests.defaultTenant;
  const url = new URL(ctx.requests.url(endpoint.path));
  const headers: string[] = [];
  for (const [name, value] of Object.entries(ctx.requests.headersFor(endpoint, tenant))) {
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'content-length' || lower === 'connection' || lower === 'transfer-encoding') continue;
    headers.push(lower, value);
  }
  const request: Omit<LoadRequestTemplate, 'body'> = {
    endpoint: endpoint.name,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: endpoint.method,
    headers,
    keyHeader: ctx.scenario.defaults.keyHeader.toLowerCase(),
    keyFormat: ctx.scenario.defaults.keyFormat ?? ctx.profile.keyFormat,
  };
  if (tenant) request.tenant = tenant;
  return request;
}

export function loadTemplate(ctx: CheckContext<LoadCheckOptions>): LoadRequestTemplate {
  const endpoint = ctx.endpoint;
  const tenant = ctx.options.tenant ?? ctx.requests.defaultTenant;
  const vars = tenant ? { tenant } : {};
  const body =
    endpoint.body !== undefined && usesKey(endpoint.body)
      ? (_n: number, key: string) => ctx.requests.renderBody(endpoint, { ...vars, key })
      : bodyPool(() => ctx.requests.renderBody(endpoint, vars), BODY_POOL);
  return { ...requestOf(ctx), body };
}

/** The template for worker threads (engine/load/workers.ts): the same request, its body described as data. */
export function portableLoadTemplate(ctx: CheckContext<LoadCheckOptions>, seed: string): PortableTemplate {
  const endpoint = ctx.endpoint;
  const tenant = ctx.options.tenant ?? ctx.requests.defaultTenant;
  let body: PortableTemplate['body'];
  if (endpoint.body === undefined) body = { kind: 'none' };
  else if (usesKey(endpoint.body)) body = { kind: 'per-key', template: endpoint.body, seed, ...(tenant ? { tenant } : {}) };
  else {
    const vars = tenant ? { tenant } : {};
    body = { kind: 'pool', pool: Array.from({ length: BODY_POOL }, () => ctx.requests.renderBody(endpoint, vars) ?? Buffer.alloc(0)) };
  }
  return { ...requestOf(ctx), body };
}
