// A second tenant reuses the first tenant's key: it must get an independent result (or a 4xx),
// never the first tenant's response, and the first tenant's result must stay intact.
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import { distinctIdentities } from '../engine/oracle.js';
import type { Profile } from '../profiles/index.js';
import type { Endpoint } from '../scenario/schema.js';
import { compareBodies, is5xx, isMarkedReplay } from './compare.js';
import { send } from './send.js';
import { defineCheck, finding, presumes, type Finding } from './api.js';

import { CrossTenantOptions as Options } from '../scenario/check-options/cross-tenant.js';

export interface CrossTenantObservation {
  first: Exchange;
  other: Exchange;
  firstAgain: Exchange;
}

/**
 * Whether `b` got `a`'s result. With an identity the resource ids decide; without one, identical
 * bytes alone could be two independent executions answering the same (`{"ok":true}`), so the second
 * answer must also say it is a replay.
 */
function sameResource(a: Exchange, b: Exchange, endpoint: Endpoint): boolean {
  if (endpoint.identity) {
    const ids = distinctIdentities([a, b], endpoint.identity);
    if (ids.length > 0) return ids.length === 1;
  }
  return compareBodies(a, b) === 'identical' && isMarkedReplay(b);
}

export function judgeCrossTenant(obs: CrossTenantObservation, endpoint: Endpoint, profile: Profile): Finding[] {
  const { first, other, firstAgain } = obs;
  const all = [first, other, firstAgain];
  const cite = profile.cite.tenantScope;
  if (!isSuccess(first)) return [finding('error', 'deviation', `the first tenant's request failed (${statusOf(first)})`, cite, [first])];
  const findings: Finding[] = [];
  if (isSuccess(other) && sameResource(first, other, endpoint)) {
    findings.push(finding('fail', 'violation', `tenant ${other.tenant} received tenant ${first.tenant}'s response for the same key`, cite, [first, other]));
  } else if (is5xx(other)) {
    findings.push(finding('fail', 'violation', `the other tenant's reuse of the key answered ${other.response!.status}`, cite, [first, other]));
  } else if (!other.response) {
    findings.push(finding('error', 'deviation', `the other tenant's request got no response (${other.error})`, cite, [other]));
  }
  if (!isSuccess(firstAgain) || !sameResource(first, firstAgain, endpoint)) {
    findings.push(
      presumes(
        finding(
          'fail',
          'violation',
          `after another tenant used the key, tenant ${first.tenant} no longer gets its own result (${statusOf(firstAgain)})`,
          cite,
          all,
        ),
        'replay',
      ),
    );
  }
  if (findings.length > 0) return findings;
  const how = isSuccess(other) ? `executed independently (${other.response!.status})` : `was rejected with ${other.response!.status}`;
  return [finding('pass', 'violation', `the other tenant's use of the key ${how}; each tenant kept its own result`, cite, all)];
}

export const crossTenant = defineCheck<Options>({
  id: 'cross-tenant',
  title: 'Cross-tenant key reuse',
  summary: "a second credential reuses the key: never receives the first tenant's response",
  options: Options,
  applies(ctx) {
    return ctx.requests.tenants.length >= 2 ? true : 'declare at least two tenants to test key scoping';
  },
  async run(ctx) {
    const [a, b] = ctx.options.tenants ?? (ctx.requests.tenants as [string, string]);
    const key = ctx.keys.next();
    const body = ctx.requests.renderBody(ctx.endpoint, { key });
    const first = await send(ctx, `tenant ${a}`, { key, body, tenant: a });
    const other = await send(ctx, `tenant ${b}, same key`, { key, body, tenant: b });
    const firstAgain = await send(ctx, `tenant ${a} again`, { key, body, tenant: a });
    return judgeCrossTenant({ first, other, firstAgain }, ctx.endpoint, ctx.profile);
  },
});
