// The request a load run sends, prepared once from the scenario's endpoint: headers without the
// key, and bodies pre-rendered into a pool unless the body template uses the key itself.
import { bodyPool } from '../../engine/load/index.js';
import type { LoadRequestTemplate } from '../../engine/load/types.js';
import type { LoadCheckOptions } from '../../scenario/check-options/load.js';
import { placeholdersIn } from '../../scenario/template.js';
import type { CheckContext } from '../api.js';

/** Pool of pre-rendered bodies cycled by fresh keys (templates render once, not per request). */
const BODY_POOL = 64;

export function loadTemplate(ctx: CheckContext<LoadCheckOptions>): LoadRequestTemplate {
  const endpoint = ctx.endpoint;
  const tenant = ctx.options.tenant ?? ctx.requests.defaultTenant;
  const url = new URL(ctx.requests.url(endpoint.path));
  const headers: string[] = [];
  for (const [name, value] of Object.entries(ctx.requests.headersFor(endpoint, tenant))) {
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'content-length' || lower === 'connection' || lower === 'transfer-encoding') continue;
    headers.push(lower, value);
  }
  const vars = tenant ? { tenant } : {};
  const perKey =
    endpoint.body !== undefined && placeholdersIn(typeof endpoint.body === 'string' ? endpoint.body : JSON.stringify(endpoint.body)).includes('key');
  const body = perKey
    ? (_n: number, key: string) => ctx.requests.renderBody(endpoint, { ...vars, key })
    : bodyPool(() => ctx.requests.renderBody(endpoint, vars), BODY_POOL);
  const template: LoadRequestTemplate = {
    endpoint: endpoint.name,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: endpoint.method,
    headers,
    keyHeader: ctx.scenario.defaults.keyHeader.toLowerCase(),
    keyFormat: ctx.scenario.defaults.keyFormat ?? ctx.profile.keyFormat,
    body,
  };
  if (tenant) template.tenant = tenant;
  return template;
}
