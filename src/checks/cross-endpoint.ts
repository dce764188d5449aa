// Reuse a key on another endpoint (and, optionally, with another method on the same path): the
// second request must run independently or be rejected with a 4xx, never receive the first
// endpoint's stored response, and the first endpoint's replay must stay intact (GUIDE row 8).
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import { distinctIdentities } from '../engine/oracle.js';
import type { Profile } from '../profiles/index.js';
import type { Endpoint, Scenario } from '../scenario/schema.js';
import { compareBodies, is5xx } from './compare.js';
import { exchangeMeta, send } from './send.js';
import { defineCheck, finding, presumes, type Finding } from './api.js';

import { CrossEndpointOptions as Options } from '../scenario/check-options/cross-endpoint.js';

/**
 * Whether two successful exchanges carry the same result: the same resource id when the endpoint
 * declares `identity` and both responses have one, otherwise byte-identical bodies.
 */
export function sameResult(a: Exchange, b: Exchange, endpoint: Pick<Endpoint, 'identity'>): boolean {
  if (!isSuccess(a) || !isSuccess(b)) return false;
  if (endpoint.identity) {
    const ids = distinctIdentities([a], endpoint.identity);
    const others = distinctIdentities([b], endpoint.identity);
    if (ids.length === 1 && others.length === 1) return ids[0] === others[0];
  }
  return compareBodies(a, b) === 'identical';
}

/** The endpoint reused by default: the next one declared (wrapping around), or none. */
export function otherEndpoint(scenario: Pick<Scenario, 'endpoints'>, current: Endpoint, name?: string): Endpoint | undefined | Error {
  if (name !== undefined && name !== current.name) {
    const named = scenario.endpoints.find((e) => e.name === name);
    return named ?? new Error(`option other names unknown endpoint '${name}'; declared: ${scenario.endpoints.map((e) => e.name).join(', ')}`);
  }
  const i = scenario.endpoints.findIndex((e) => e.name === current.name);
  const next = scenario.endpoints[(i + 1) % scenario.endpoints.length];
  return next && next.name !== current.name ? next : undefined;
}

export interface CrossEndpointObservation {
  first: Exchange;
  /** The key reused elsewhere: on another endpoint and/or with another method; `label` says which. */
  reuses: Exchange[];
  firstAgain: Exchange;
}

export function judgeCrossEndpoint(obs: CrossEndpointObservation, endpoint: Endpoint, profile: Profile): Finding[] {
  const { first, reuses, firstAgain } = obs;
  const all = [first, ...reuses, firstAgain];
  const cite = profile.cite.endpointScope;
  const facts: Record<string, unknown> = Object.fromEntries(reuses.map((r) => [r.label, statusOf(r)]));
  if (!isSuccess(first))
    return [finding('error', 'deviation', `the original request failed (${statusOf(first)}), so key reuse cannot be judged`, cite, [first], facts)];
  const findings: Finding[] = [];
  for (const r of reuses) {
    if (sameResult(first, r, endpoint)) {
      findings.push(finding('fail', 'violation', `${r.label}: received ${endpoint.name}'s response (${r.response!.status})`, cite, [first, r], facts));
    } else if (is5xx(r)) {
      findings.push(finding('fail', 'violation', `${r.label}: answered ${r.response!.status}`, cite, [first, r], facts));
    } else if (!r.response) {
      findings.push(finding('error', 'deviation', `${r.label}: no response (${r.error})`, cite, [r], facts));
    }
  }
  if (!sameResult(first, firstAgain, endpoint)) {
    findings.push(
      presumes(
        finding(
          'fail',
          'violation',
          `after the key was reused elsewhere, ${endpoint.name} no longer replays its own result (${statusOf(firstAgain)})`,
          cite,
          all,
          facts,
        ),
        'replay',
      ),
    );
  }
  if (findings.length > 0) return findings;
  const how = reuses.map((r) => `${r.label} ${isSuccess(r) ? `executed independently (${r.response!.status})` : `was rejected with ${r.response!.status}`}`);
  return [finding('pass', 'violation', `${how.join('; ')}; the original still replays`, cite, all, facts)];
}

export const crossEndpoint = defineCheck<Options>({
  id: 'cross-endpoint',
  title: 'Cross-endpoint key reuse',
  summary: "the key reused on another endpoint or method: never receives the first endpoint's response",
  options: Options,
  async run(ctx) {
    const other = otherEndpoint(ctx.scenario, ctx.endpoint, ctx.options.other);
    const cite = ctx.profile.cite.endpointScope;
    if (other instanceof Error) return [finding('error', 'deviation', other.message, cite, [])];
    const method = ctx.options.method !== undefined && ctx.options.method !== ctx.endpoint.method ? ctx.options.method : undefined;
    if (!other && !method) return [finding('skip', 'violation', 'only one endpoint is declared: declare another one, or set option method', cite, [])];

    const key = ctx.keys.next();
    const body = ctx.requests.renderBody(ctx.endpoint, { key });
    const first = await send(ctx, 'original', { key, body });
    const reuses: Exchange[] = [];
    if (other) {
      const label = `same key on ${other.name} (${other.method} ${other.path})`;
      const req = ctx.requests.build({ endpoint: other, key });
      reuses.push(await ctx.http.send(req, { ...exchangeMeta(ctx, label, key), endpoint: other.name }));
    }
    if (method) reuses.push(await send(ctx, `same key with ${method} ${ctx.endpoint.path}`, { key, body, method }));
    const firstAgain = await send(ctx, 'original again', { key, body });
    return judgeCrossEndpoint({ first, reuses, firstAgain }, ctx.endpoint, ctx.profile);
  },
});
