// Reuse a key with a changed payload: it must be rejected (422 under ietf-07) without executing,
// and the rejection must not destroy the stored original (the original still replays).
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import { distinctIdentities, type ExecutionCount } from '../engine/oracle.js';
import { mutateBody } from '../engine/requests.js';
import type { Profile } from '../profiles/index.js';
import { compareBodies, is5xx } from './compare.js';
import { send } from './send.js';
import { defineCheck, finding, presumes, type Finding } from './api.js';

import { PayloadMismatchOptions as Options } from '../scenario/check-options/payload-mismatch.js';

export interface MismatchObservation {
  original: Exchange;
  changed: Exchange;
  again: Exchange;
  count: ExecutionCount;
}

export function judgePayloadMismatch(obs: MismatchObservation, profile: Profile, opts: Options, identity?: string): Finding[] {
  const { original, changed, again, count } = obs;
  const all = [original, changed, again];
  const facts = { executions: count.executions, oracles: count.by, changedStatus: statusOf(changed), againStatus: statusOf(again) };
  if (!isSuccess(original)) {
    return [
      finding(
        'error',
        'deviation',
        `the original request failed (${statusOf(original)}), so key reuse cannot be judged`,
        profile.cite.mismatch,
        [original],
        facts,
      ),
    ];
  }
  const findings: Finding[] = [];
  if (isSuccess(changed)) {
    const replayedOld = compareBodies(original, changed) !== 'different';
    findings.push(
      finding(
        'fail',
        'violation',
        replayedOld
          ? `changed payload was answered with the original's response (${changed.response!.status}): the mismatch went unnoticed`
          : `changed payload was executed under a used key (${changed.response!.status})`,
        profile.cite.mismatch,
        [original, changed],
        facts,
      ),
    );
  } else if (is5xx(changed)) {
    findings.push(
      finding(
        'fail',
        'violation',
        `key reuse with a changed payload answered ${changed.response!.status} (a conflict surfaced as 5xx)`,
        profile.cite.mismatch,
        [original, changed],
        facts,
      ),
    );
  } else if (!changed.response) {
    findings.push(finding('error', 'deviation', `key reuse got no response (${changed.error})`, profile.cite.mismatch, [changed], facts));
  } else if (!profile.expect.mismatch.includes(changed.response.status)) {
    findings.push(
      finding(
        'fail',
        'deviation',
        `key reuse with a changed payload answered ${changed.response.status} where ${profile.id} expects ${profile.expect.mismatch.join(' or ')}`,
        profile.cite.mismatch,
        [changed],
        facts,
      ),
    );
  }
  if ((count.executions ?? 0) > 1 && !isSuccess(changed)) {
    // Only the reuse's fault if an identical retry alone does not execute again.
    findings.push(
      presumes(
        finding(
          'fail',
          'violation',
          `the rejected reuse destroyed the original: the original was executed again (${count.executions} executions for the key)`,
          profile.cite.mismatch,
          all,
          facts,
        ),
        'single-execution',
      ),
    );
  } else if (again.response?.status !== original.response!.status) {
    findings.push(
      presumes(
        finding(
          'fail',
          'violation',
          `after the rejected reuse, the original answered ${statusOf(again)} where it first answered ${statusOf(original)}`,
          profile.cite.replay,
          all,
          facts,
        ),
        'replay',
      ),
    );
  } else if (compareBodies(original, again, opts.ignore) === 'different') {
    // The same resource re-rendered is a replay-fidelity matter, not poisoning by the reuse.
    const ids = identity ? distinctIdentities([original, again], identity) : [];
    const sameResource = ids.length === 1 && isSuccess(again);
    findings.push(
      presumes(
        finding(
          'fail',
          'violation',
          sameResource
            ? `after the rejected reuse, the original's replay names the same resource (${ids[0]}) with a different body`
            : `after the rejected reuse, the original answered a different body${ids.length > 1 ? ` (resource ${ids[1]}, first ${ids[0]})` : ''}: the reuse replaced the stored result`,
          profile.cite.replay,
          all,
          facts,
        ),
        sameResource ? 'replay-bytes' : 'replay',
      ),
    );
  }
  if (findings.length > 0) return findings;
  return [
    finding('pass', 'violation', `changed payload rejected with ${changed.response!.status}; the original still replays`, profile.cite.mismatch, all, facts),
  ];
}

export const payloadMismatch = defineCheck<Options>({
  id: 'payload-mismatch',
  title: 'Payload mismatch',
  summary: 'same key, changed payload: rejected (422) without executing; the original still replays afterwards',
  options: Options,
  async run(ctx) {
    const key = ctx.keys.next();
    const body = ctx.requests.renderBody(ctx.endpoint, { key });
    const original = await send(ctx, 'original', { key, body });
    const changed = await send(ctx, 'changed payload, same key', { key, body: mutateBody(body) });
    const again = await send(ctx, 'original again', { key, body });
    const count = await ctx.oracle.count(ctx.endpoint, key, [original, changed, again]);
    return judgePayloadMismatch({ original, changed, again, count }, ctx.profile, ctx.options, ctx.endpoint.identity);
  },
});
