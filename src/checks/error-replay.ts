// A first attempt answered 4xx or 5xx, then the same request again with the same key (GUIDE row 9):
// is the error replayed (stored) or released (run afresh)? Graded against the endpoint's declared
// policy, else the profile's; where both say `any` the outcome is an observation for the report.
import type { Exchange } from '../core/exchange.js';
import { statusOf } from '../core/exchange.js';
import type { ExecutionCount } from '../engine/oracle.js';
import type { ErrorPolicy, Profile } from '../profiles/index.js';
import type { Endpoint } from '../scenario/schema.js';
import { compareBodies, is4xx, is5xx, isMarkedReplay } from './compare.js';
import { send } from './send.js';
import { defineCheck, finding, type Finding } from './api.js';

import { ErrorReplayOptions as Options } from '../scenario/check-options/error-replay.js';

export type ErrorClass = '4xx' | '5xx';
export type RetryOutcome = 'replayed' | 'released' | 'unclear';

export interface ErrorReplayRound {
  errorClass: ErrorClass;
  first: Exchange;
  retry: Exchange;
  count: ExecutionCount;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The body template to send: the trigger object merged over the endpoint's body object, or the trigger as-is. */
export function triggerBody(endpointBody: unknown, trigger: unknown): unknown {
  return isObject(endpointBody) && isObject(trigger) ? { ...endpointBody, ...trigger } : trigger;
}

/**
 * What the retry got. Replayed: marked as a replay, or the same answer with no new execution where
 * an oracle saw the first one run. Released: a new execution, or a different answer without a marker.
 * Unclear: the same answer, no marker, and no oracle able to tell.
 */
export function retryOutcome(round: ErrorReplayRound): RetryOutcome {
  const { first, retry, count } = round;
  if (isMarkedReplay(retry)) return 'replayed';
  const ran = count.by.ledger ?? count.by.probe;
  if (ran !== undefined && ran >= 2) return 'released';
  const same = retry.response?.status === first.response?.status && compareBodies(first, retry) === 'identical';
  if (!same) return 'released';
  // One execution between two identical answers: the first ran and the retry got its stored answer.
  if (ran === 1) return 'replayed';
  return 'unclear';
}

export interface PolicySource {
  policy: ErrorPolicy;
  /** Where the rule comes from, cited in the finding. */
  cite: string;
  by: 'endpoint' | 'profile';
}

/** The endpoint's declared policy wins unless it is `any`; then the profile's. */
export function errorPolicy(errorClass: ErrorClass, endpoint: Endpoint, profile: Profile): PolicySource {
  const declared = endpoint.policy.errors[errorClass];
  if (declared !== 'any') return { policy: declared, cite: `scenario policy of ${endpoint.name}: errors.${errorClass} = ${declared}`, by: 'endpoint' };
  return { policy: profile.errors[errorClass], cite: profile.cite.errors, by: 'profile' };
}

export function judgeErrorRound(round: ErrorReplayRound, endpoint: Endpoint, profile: Profile): Finding {
  const { errorClass, first, retry, count } = round;
  const pair = [first, retry];
  const rule = errorPolicy(errorClass, endpoint, profile);
  const inClass = errorClass === '4xx' ? is4xx : is5xx;
  const facts: Record<string, unknown> = {
    errorClass,
    firstStatus: statusOf(first),
    retryStatus: statusOf(retry),
    executions: count.executions,
    oracles: count.by,
    policy: rule.policy,
    policyBy: rule.by,
  };
  if (!first.response || !inClass(first)) {
    return finding(
      'error',
      'deviation',
      `the ${errorClass} trigger body was answered ${statusOf(first)}, not a ${errorClass}: fix body${errorClass} in the check options`,
      rule.cite,
      [first],
      facts,
    );
  }
  if (!retry.response)
    return finding('error', 'deviation', `the retry after a ${first.response.status} got no response (${retry.error})`, rule.cite, pair, facts);
  const outcome = retryOutcome(round);
  facts.outcome = outcome;
  const what =
    outcome === 'replayed'
      ? `the ${first.response.status} was replayed (${statusOf(retry)}${isMarkedReplay(retry) ? ', marked' : ''})`
      : outcome === 'released'
        ? `the key was released: the retry ran afresh (${statusOf(retry)}${count.executions !== null ? `, ${count.executions} execution(s)` : ''})`
        : `the retry got the same ${retry.response.status} without a replay marker; replay and fresh attempt cannot be told apart`;
  const expected: RetryOutcome | undefined = rule.policy === 'replay' ? 'replayed' : rule.policy === 'release' ? 'released' : undefined;
  if (expected === undefined || outcome === 'unclear' || outcome === expected) {
    const level = rule.policy === 'any' || outcome === 'unclear' ? 'observation' : 'deviation';
    return finding('pass', level, `after a ${errorClass}: ${what}${rule.policy === 'any' ? '' : ` (policy: ${rule.policy})`}`, rule.cite, pair, facts);
  }
  // Released where a replay was due, after a first attempt that had already run the side effect:
  // the key executed twice, a safety failure. Any other mismatch is a matter of the declared SHOULD.
  const doubled = outcome === 'released' && (count.executions ?? 0) >= 2;
  const f = finding(
    'fail',
    doubled ? 'violation' : 'deviation',
    `after a ${errorClass}: ${what}, where ${rule.by === 'endpoint' ? `${endpoint.name}'s policy` : profile.id} says ${rule.policy}`,
    rule.cite,
    pair,
    facts,
  );
  // An error that should replay but does not, on an endpoint where no result replays: not an error-policy matter.
  if (expected === 'replayed') f.dependsOn = ['replay'];
  return f;
}

export function judgeErrorReplay(rounds: ErrorReplayRound[], endpoint: Endpoint, profile: Profile): Finding[] {
  return rounds.map((r) => judgeErrorRound(r, endpoint, profile));
}

export const errorReplay = defineCheck<Options>({
  id: 'error-replay',
  title: 'Error replay',
  summary: 'first attempt answered 4xx/5xx, then the same retry: replayed or released, graded against the declared policy',
  options: Options,
  async run(ctx) {
    const unknown = Object.keys(ctx.options.byEndpoint).filter((name) => !ctx.scenario.endpoints.some((e) => e.name === name));
    if (unknown.length > 0) {
      return [
        finding(
          'error',
          'deviation',
          `option byEndpoint names unknown endpoint(s): ${unknown.join(', ')}; declared: ${ctx.scenario.endpoints.map((e) => e.name).join(', ')}`,
          ctx.profile.cite.errors,
          [],
        ),
      ];
    }
    const own = ctx.options.byEndpoint[ctx.endpoint.name] ?? {};
    const triggers: Array<[ErrorClass, unknown]> = [
      ['4xx', own.body4xx ?? ctx.options.body4xx],
      ['5xx', own.body5xx ?? ctx.options.body5xx],
    ];
    const configured = triggers.filter(([, t]) => t !== undefined);
    if (configured.length === 0) {
      return [finding('skip', 'observation', 'no trigger body configured: set body4xx and/or body5xx in the check options', ctx.profile.cite.errors, [])];
    }
    // One variant after the other, though their keys differ: overlapping requests would make a server
    // that serialises unrelated keys fail here too, where concurrent-duplicates owns that finding.
    const findings: Finding[] = [];
    for (const [errorClass, trigger] of configured) {
      const key = ctx.keys.next();
      const body = ctx.requests.renderBody({ ...ctx.endpoint, body: triggerBody(ctx.endpoint.body, trigger) }, { key });
      const first = await send(ctx, `${errorClass} trigger`, { key, body });
      const retry = await send(ctx, `retry after ${statusOf(first)}`, { key, body });
      const count = await ctx.oracle.count(ctx.endpoint, key, [first, retry]);
      findings.push(judgeErrorRound({ errorClass, first, retry, count }, ctx.endpoint, ctx.profile));
    }
    for (const [errorClass] of triggers.filter(([, t]) => t === undefined)) {
      findings.push(
        finding(
          'skip',
          'observation',
          `no body${errorClass} configured for ${ctx.endpoint.name}: the ${errorClass} variant was not run`,
          ctx.profile.cite.errors,
          [],
        ),
      );
    }
    return findings;
  },
});
