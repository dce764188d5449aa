// An endpoint's baseline: a first execution, then an identical retry, and what the pair proves about
// the endpoint (does a retry replay, byte for byte, without executing again?). Checks that build on
// those properties (payload-mismatch, cross-tenant, expiry, the chaos checks, ...) mark their failed
// findings with `dependsOn`; when the baseline already disproved such a property, the failure is not
// theirs to report: one root cause, one finding, owned by sequential-replay.
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import { distinctIdentities, type ExecutionCount } from '../engine/oracle.js';
import type { Endpoint } from '../scenario/schema.js';
import type { BaselineProperty, CheckContext, Finding } from './api.js';
import { compareBodies, type BodyComparison } from './compare.js';
import { send } from './send.js';

/** The check that owns every property a baseline can disprove. */
export const BASELINE_OWNER = 'sequential-replay';

export interface Baseline {
  original: Exchange;
  retry: Exchange;
  executions: number | null;
  body?: BodyComparison;
  /** Both answers name this one resource (identity oracle), when it says so. */
  sameResource?: boolean;
  /** Per property: true (shown), false (disproved, with what was observed), undefined (cannot tell). */
  holds: Partial<Record<BaselineProperty, boolean>>;
  /** What the baseline observed, per disproved property, in words. */
  observed: Partial<Record<BaselineProperty, string>>;
}

/** Pure: what a first execution and its identical retry prove. */
export function assessBaseline(original: Exchange, retry: Exchange, count: ExecutionCount, endpoint: Endpoint): Baseline {
  const base: Baseline = { original, retry, executions: count.executions, holds: {}, observed: {} };
  // A failed original or a silent retry proves nothing about replays.
  if (!isSuccess(original) || !retry.response) return base;
  if (count.executions !== null) {
    base.holds['single-execution'] = count.executions <= 1;
    if (count.executions > 1) base.observed['single-execution'] = `executed again (${count.executions} executions for one key)`;
  }
  if (endpoint.identity && isSuccess(retry)) {
    const ids = distinctIdentities([original, retry], endpoint.identity);
    if (ids.length > 0) base.sameResource = ids.length === 1;
  }
  const status = retry.response.status === original.response!.status;
  const body = status ? compareBodies(original, retry) : undefined;
  if (body) base.body = body;
  if (!status) {
    base.holds.replay = false;
    base.observed.replay = `answered ${statusOf(retry)} where the original answered ${statusOf(original)}`;
  } else if (body === 'different' && base.sameResource !== true) {
    base.holds.replay = false;
    base.observed.replay = base.sameResource === false ? 'answered with another resource' : 'answered a different body';
  } else {
    base.holds.replay = true;
  }
  if (body !== undefined) {
    base.holds['replay-bytes'] = body !== 'different';
    if (body === 'different') base.observed['replay-bytes'] = `re-rendered the body${base.sameResource ? ' of the same resource' : ''}`;
  } else if (!status) {
    base.holds['replay-bytes'] = false;
    base.observed['replay-bytes'] = base.observed.replay!;
  }
  return base;
}

/** Sends the baseline pair on the check's context (evidence labelled "baseline ..."). */
export async function establishBaseline(ctx: CheckContext<unknown>): Promise<Baseline> {
  const key = ctx.keys.next();
  const body = ctx.requests.renderBody(ctx.endpoint, { key });
  const original = await send(ctx, 'baseline: first execution', { key, body });
  const retry = await send(ctx, 'baseline: identical retry', { key, body });
  const count = await ctx.oracle.count(ctx.endpoint, key, [original, retry]);
  return assessBaseline(original, retry, count, ctx.endpoint);
}

/** The first property a finding presumes that the baseline disproved. */
export function disproved(f: Finding, baseline: Baseline): BaselineProperty | undefined {
  return f.dependsOn?.find((p) => baseline.holds[p] === false);
}

/**
 * Pure: failed findings whose presumed property the baseline disproved become `inconclusive`, naming
 * the owner; everything else is kept as it is.
 */
export function attribute(findings: Finding[], baseline: Baseline): Finding[] {
  return findings.map((f) => {
    if (f.verdict !== 'fail') return f;
    const property = disproved(f, baseline);
    if (!property) return f;
    return {
      ...f,
      verdict: 'inconclusive',
      message: `not judged (root cause owned by ${BASELINE_OWNER}): an identical retry without any fault already ${baseline.observed[property]}; this check saw: ${f.message}`,
      exchanges: [baseline.original, baseline.retry, ...f.exchanges].slice(0, 10),
      facts: { ...f.facts, inconclusive: { owner: BASELINE_OWNER, property, baseline: baseline.observed[property] } },
    };
  });
}

/** Whether any finding could be attributed, so the baseline is worth establishing. */
export function needsBaseline(findings: Finding[]): boolean {
  return findings.some((f) => f.verdict === 'fail' && (f.dependsOn?.length ?? 0) > 0);
}
