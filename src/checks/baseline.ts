// An endpoint's baseline: a first execution, then an identical retry, then a changed payload under the
// same key, and what they prove about the endpoint (does a retry replay, byte for byte, without
// executing again? is a reuse with other bytes kept from executing?). Checks that build on those
// properties (payload-mismatch, cross-tenant, expiry, fingerprint, the chaos checks, ...) mark their
// failed findings with `dependsOn`; when the baseline already disproved such a property, the failure is
// not theirs to report: one root cause, one finding, owned by the check that tests the property itself
// (sequential-replay for replays, payload-mismatch for a reuse that executes).
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import { BASELINE_OWNER } from '../core/verdict.js';
import { distinctIdentities, type ExecutionCount } from '../engine/oracle.js';
import type { Endpoint } from '../scenario/schema.js';
import type { BaselineProperty, CheckContext, Finding } from './api.js';
import { compareBodies, type BodyComparison } from './compare.js';
import { mutateBody } from '../engine/requests.js';
import { send } from './send.js';

/** The check that owns the replay properties of a baseline (the first three). */
export { BASELINE_OWNER };

/** The check whose own finding reports each property's root cause. */
export const PROPERTY_OWNER: Readonly<Record<BaselineProperty, string>> = {
  replay: BASELINE_OWNER,
  'replay-bytes': BASELINE_OWNER,
  'single-execution': BASELINE_OWNER,
  'reuse-rejected': 'payload-mismatch',
};

/** How the baseline's observation reads, per property: what was sent, without any fault. */
const SENT: Readonly<Record<BaselineProperty, string>> = {
  replay: 'an identical retry without any fault already',
  'replay-bytes': 'an identical retry without any fault already',
  'single-execution': 'an identical retry without any fault already',
  'reuse-rejected': 'a changed payload under the used key, without any fault, already',
};

export interface Baseline {
  original: Exchange;
  retry: Exchange;
  /** The same key with a changed payload, sent after the retry (when the baseline sent one). */
  reuse?: Exchange;
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

/**
 * Pure: what a changed payload under the used key, sent after the pair, proves. It executed when the
 * oracle counts one more execution than after the pair, or (no count) when it succeeded with another
 * resource than the original's. Only judged once the pair showed a retry that does not execute.
 */
export function assessReuse(base: Baseline, reuse: Exchange, after: ExecutionCount, endpoint: Endpoint): Baseline {
  const out: Baseline = { ...base, reuse, holds: { ...base.holds }, observed: { ...base.observed } };
  if (base.holds['single-execution'] === false || !isSuccess(base.original) || !reuse.response) return out;
  let executed: boolean | undefined;
  if (after.executions !== null && base.executions !== null) executed = after.executions > base.executions;
  else if (endpoint.identity && isSuccess(reuse)) {
    const ids = distinctIdentities([base.original, reuse], endpoint.identity);
    if (ids.length > 0) executed = ids.length > 1;
  }
  if (executed === undefined) return out;
  out.holds['reuse-rejected'] = !executed;
  if (executed)
    out.observed['reuse-rejected'] = `executed (answered ${statusOf(reuse)}${after.executions !== null ? `, ${after.executions} executions for one key` : ''})`;
  return out;
}

/** Sends the baseline on the check's context (evidence labelled "baseline ..."). */
export async function establishBaseline(ctx: CheckContext<unknown>): Promise<Baseline> {
  const key = ctx.keys.next();
  const body = ctx.requests.renderBody(ctx.endpoint, { key });
  const original = await send(ctx, 'baseline: first execution', { key, body });
  const retry = await send(ctx, 'baseline: identical retry', { key, body });
  const count = await ctx.oracle.count(ctx.endpoint, key, [original, retry]);
  const pair = assessBaseline(original, retry, count, ctx.endpoint);
  const reuse = await send(ctx, 'baseline: changed payload, same key', { key, body: mutateBody(body) });
  const after = await ctx.oracle.count(ctx.endpoint, key, [original, retry, reuse]);
  return assessReuse(pair, reuse, after, ctx.endpoint);
}

/** The first property a finding presumes that the baseline disproved. */
export function disproved(f: Finding, baseline: Baseline): BaselineProperty | undefined {
  return f.dependsOn?.find((p) => baseline.holds[p] === false);
}

/**
 * Pure: failed findings whose presumed property the baseline disproved become `inconclusive`, naming
 * the owner; everything else is kept as it is. A check is never inconclusive about a property it owns
 * (`checkId`): its own failure is the finding.
 */
export function attribute(findings: Finding[], baseline: Baseline, checkId?: string): Finding[] {
  return findings.map((f) => {
    if (f.verdict !== 'fail') return f;
    const property = f.dependsOn?.find((p) => baseline.holds[p] === false && PROPERTY_OWNER[p] !== checkId);
    if (!property) return f;
    const owner = PROPERTY_OWNER[property];
    const shown = property === 'reuse-rejected' && baseline.reuse ? [baseline.original, baseline.reuse] : [baseline.original, baseline.retry];
    return {
      ...f,
      verdict: 'inconclusive',
      message: `not judged (root cause owned by ${owner}): ${SENT[property]} ${baseline.observed[property]}; this check saw: ${f.message}`,
      exchanges: [...shown, ...f.exchanges].slice(0, 10),
      facts: { ...f.facts, inconclusive: { owner, property, baseline: baseline.observed[property] } },
    };
  });
}

/** Whether any finding could be attributed, so the baseline is worth establishing. */
export function needsBaseline(findings: Finding[], checkId?: string): boolean {
  return findings.some((f) => f.verdict === 'fail' && (f.dependsOn ?? []).some((p) => PROPERTY_OWNER[p] !== checkId));
}
