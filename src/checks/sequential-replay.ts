// Repeat a completed request with the same key: the stored response must come back exactly
// (status, body, must-replay headers), without a second execution, marked as a replay.
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import type { ExecutionCount } from '../engine/oracle.js';
import type { Profile } from '../profiles/index.js';
import { compareBodies, isMarkedReplay, replayMarker } from './compare.js';
import { send } from './send.js';
import { defineCheck, finding, type Finding } from './api.js';
import { EXECUTION_AFTER_COMPLETION } from './root-causes.js';

import { SequentialReplayOptions as Options, MUST_REPLAY, MUST_NOT_REPLAY } from '../scenario/check-options/sequential-replay.js';
export { MUST_REPLAY, MUST_NOT_REPLAY };

export interface ReplayObservation {
  original: Exchange;
  replay: Exchange;
  count: ExecutionCount;
}

export function judgeSequentialReplay(obs: ReplayObservation, profile: Profile, opts: Options): Finding[] {
  const { original, replay, count } = obs;
  const pair = [original, replay];
  const facts: Record<string, unknown> = { executions: count.executions, oracles: count.by, marker: replayMarker(replay) ?? null };
  if (!isSuccess(original)) {
    return [
      finding('error', 'deviation', `the original request failed (${statusOf(original)}), so replay cannot be judged`, profile.cite.replay, [original], facts),
    ];
  }
  if (!replay.response) {
    return [finding('error', 'deviation', `the repeat got no response (${replay.error})`, profile.cite.replay, pair, facts)];
  }
  const findings: Finding[] = [];
  if ((count.executions ?? 0) > 1) {
    findings.push(
      finding('fail', 'violation', `repeat after completion executed again (${count.executions} executions)`, profile.cite.execution, pair, {
        ...facts,
        rootCause: EXECUTION_AFTER_COMPLETION,
      }),
    );
  }
  const body = compareBodies(original, replay, opts.ignore);
  facts.body = body;
  if (replay.response.status !== original.response!.status) {
    findings.push(
      finding('fail', 'violation', `replay answered ${replay.response.status}, the original ${original.response!.status}`, profile.cite.replay, pair, facts),
    );
  } else if (body === 'different') {
    findings.push(finding('fail', 'violation', 'replay body differs from the original response', profile.cite.replay, pair, facts));
  } else if (body === 'equivalent' && opts.ignore.length === 0) {
    findings.push(finding('fail', 'deviation', 'replay body is the same JSON but not byte-identical', profile.cite.replay, pair, facts));
  }
  // A replay answered with another status is not the stored response at all: its headers say nothing more.
  const sameStatus = replay.response.status === original.response!.status;
  const lost = opts.mustReplay
    .map((h) => h.toLowerCase())
    .filter((h) => sameStatus && original.response!.headers[h] !== undefined && replay.response!.headers[h] !== original.response!.headers[h]);
  if (lost.length > 0) {
    findings.push(finding('fail', 'deviation', `replay lost or changed header(s): ${lost.join(', ')}`, profile.cite.replay, pair, { ...facts, headers: lost }));
  }
  const leaked = opts.mustNotReplay
    .map((h) => h.toLowerCase())
    .filter((h) => original.response!.headers[h] !== undefined && replay.response!.headers[h] === original.response!.headers[h]);
  if (leaked.length > 0) {
    findings.push(
      finding('fail', 'deviation', `replay repeated per-response header(s) verbatim: ${leaked.join(', ')}`, profile.cite.replay, pair, {
        ...facts,
        headers: leaked,
      }),
    );
  }
  if (isMarkedReplay(original)) {
    findings.push(finding('fail', 'deviation', 'the first response is marked as a replay', profile.cite.replay, [original], facts));
  }
  if (!isMarkedReplay(replay)) {
    const level = profile.replayMarker.required ? 'deviation' : 'observation';
    findings.push(
      finding(
        level === 'deviation' ? 'fail' : 'pass',
        level,
        `replay carries no ${profile.replayMarker.header}: true marker`,
        profile.cite.replay,
        [replay],
        facts,
      ),
    );
  }
  if (findings.some((f) => f.verdict === 'fail')) return findings;
  const executions =
    count.executions === null ? 'executions not counted (no oracle)' : `${count.executions} execution(s) counted by ${Object.keys(count.by).join(', ')}`;
  return [
    finding(
      'pass',
      'violation',
      `replay identical (status ${replay.response.status}, body ${body}), ${executions}${isMarkedReplay(replay) ? ', marked as replay' : ''}`,
      profile.cite.replay,
      pair,
      facts,
    ),
    ...findings,
  ];
}

export const sequentialReplay = defineCheck<Options>({
  id: 'sequential-replay',
  title: 'Sequential replay',
  summary: 'repeat after completion: same status, body bytes and must-replay headers, no second execution',
  options: Options,
  async run(ctx) {
    const key = ctx.keys.next();
    const body = ctx.requests.renderBody(ctx.endpoint, { key });
    const original = await send(ctx, 'original', { key, body });
    const replay = await send(ctx, 'replay', { key, body });
    const count = await ctx.oracle.count(ctx.endpoint, key, [original, replay]);
    return judgeSequentialReplay({ original, replay, count }, ctx.profile, ctx.options);
  },
});
