// Retention (GUIDE row 11): inside the declared retention a retry must still be replayed (a key
// that expires inside the client's retry window executes twice); past a declared test retention
// (`policy.testRetention`, a short TTL the target really uses) the key must run afresh.
import { performance } from 'node:perf_hooks';
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import type { ExecutionCount } from '../engine/oracle.js';
import { sleep } from '../engine/sleep.js';
import type { Profile } from '../profiles/index.js';
import type { Endpoint } from '../scenario/schema.js';
import { isMarkedReplay } from './compare.js';
import { sameResult } from './cross-endpoint.js';
import { send } from './send.js';
import { defineCheck, finding, presumes, type Finding } from './api.js';

import { ExpiryOptions as Options } from '../scenario/check-options/expiry.js';

export interface ExpiryRound {
  original: Exchange;
  retry: Exchange;
  count: ExecutionCount;
  /** Milliseconds between the original's answer and the retry. */
  waitedMs: number;
}

export interface ExpiryObservation {
  /** Declared retention (endpoint policy, else the profile's). */
  retentionMs?: number;
  testRetentionMs?: number;
  /** Inside the retention window: must replay. */
  before: ExpiryRound;
  /** Past the test retention: must run afresh. Absent when no test retention is declared. */
  after?: ExpiryRound;
}

/** 86400000 -> "24 h", 172800000 -> "2 d", 1500 -> "1.5 s", 250 -> "250 ms". */
export function humanDuration(ms: number): string {
  // Days only from two on: a retention of 24 h reads better than 1 d.
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0 && !(unit === 'd' && ms < 2 * size)) return `${ms / size} ${unit}`;
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export type RetryResult = 'replay' | 'executed' | 'other';

/** Replay: the original's result again, no new execution. Executed: a fresh run (new result or a second execution). */
export function classifyRetry(round: ExpiryRound, endpoint: Endpoint): RetryResult {
  const { original, retry, count } = round;
  if ((count.executions ?? 0) >= 2) return 'executed';
  if (!isSuccess(retry)) return 'other';
  if (sameResult(original, retry, endpoint) || isMarkedReplay(retry)) return 'replay';
  return 'executed';
}

export function judgeExpiry(obs: ExpiryObservation, endpoint: Endpoint, profile: Profile): Finding[] {
  const cite =
    obs.retentionMs !== undefined && endpoint.policy.retention === obs.retentionMs
      ? `scenario policy of ${endpoint.name}: retention = ${humanDuration(obs.retentionMs)} (${profile.cite.retention})`
      : profile.cite.retention;
  const bound = obs.testRetentionMs ?? obs.retentionMs;
  const facts: Record<string, unknown> = {
    declaredRetentionMs: obs.retentionMs ?? null,
    testRetentionMs: obs.testRetentionMs ?? null,
    waitMs: Math.round(obs.before.waitedMs),
  };
  const findings: Finding[] = [];

  const { before, after } = obs;
  const at = `+${humanDuration(Math.round(before.waitedMs))}`;
  if (!isSuccess(before.original)) {
    findings.push(
      finding(
        'error',
        'deviation',
        `the original request failed (${statusOf(before.original)}), so retention cannot be judged`,
        cite,
        [before.original],
        facts,
      ),
    );
  } else if (!before.retry.response) {
    findings.push(finding('error', 'deviation', `the retry at ${at} got no response (${before.retry.error})`, cite, [before.original, before.retry], facts));
  } else {
    const result = classifyRetry(before, endpoint);
    facts.before = result === 'other' ? statusOf(before.retry) : result;
    facts.observedRetention = result === 'replay' ? `>= ${humanDuration(Math.round(before.waitedMs))}` : `< ${humanDuration(Math.round(before.waitedMs))}`;
    const within = bound !== undefined ? ` (inside the ${obs.testRetentionMs !== undefined ? 'test ' : ''}retention of ${humanDuration(bound)})` : '';
    facts.executions = before.count.executions;
    const pair = [before.original, before.retry];
    if (result === 'replay') {
      findings.push(finding('pass', 'deviation', `still replayed at ${at}${within}`, cite, pair, facts));
    } else if (result === 'executed') {
      const runs = before.count.executions !== null ? `${before.count.executions} executions` : 'a new result';
      findings.push(
        presumes(
          finding('fail', 'deviation', `the key expired early: the retry at ${at}${within} executed again (${runs})`, cite, pair, facts),
          'single-execution',
          'replay',
        ),
      );
    } else {
      findings.push(
        presumes(finding('fail', 'deviation', `the retry at ${at}${within} was not replayed: answered ${statusOf(before.retry)}`, cite, pair, facts), 'replay'),
      );
    }
  }

  if (after && obs.testRetentionMs !== undefined) {
    const past = `+${humanDuration(Math.round(after.waitedMs))}`;
    const pair = [after.original, after.retry];
    const result = isSuccess(after.original) && after.retry.response ? classifyRetry(after, endpoint) : undefined;
    facts.after = result === 'other' || result === undefined ? statusOf(after.retry) : result;
    const what = `after the test retention of ${humanDuration(obs.testRetentionMs)}`;
    if (!isSuccess(after.original)) {
      findings.push(
        finding('error', 'deviation', `the original request failed (${statusOf(after.original)}), so expiry cannot be judged`, cite, [after.original], facts),
      );
    } else if (!after.retry.response) {
      findings.push(finding('error', 'deviation', `the retry at ${past} got no response (${after.retry.error})`, cite, pair, facts));
    } else if (result === 'executed') {
      findings.push(finding('pass', 'deviation', `executed afresh at ${past}, ${what}`, cite, pair, facts));
    } else if (result === 'replay') {
      findings.push(finding('fail', 'deviation', `still replayed at ${past}, ${what}: the key outlives its retention`, cite, pair, facts));
    } else {
      findings.push(
        finding('fail', 'deviation', `the retry at ${past}, ${what}, was not executed afresh: answered ${statusOf(after.retry)}`, cite, pair, facts),
      );
    }
  } else {
    facts.after = 'not tested: declare policy.testRetention to check that keys expire';
  }
  return findings;
}

export const expiry = defineCheck<Options>({
  id: 'expiry',
  title: 'Key expiry',
  summary: 'inside the declared retention a retry is still replayed; past policy.testRetention it runs afresh',
  options: Options,
  applies(ctx) {
    const { retention, testRetention } = ctx.endpoint.policy;
    return retention !== undefined || testRetention !== undefined || ctx.profile.retentionMs !== undefined
      ? true
      : 'no retention declared: set policy.retention (or testRetention) on the endpoint, or use a profile that names one';
  },
  async run(ctx) {
    const retentionMs = ctx.endpoint.policy.retention ?? ctx.profile.retentionMs;
    const testRetentionMs = ctx.endpoint.policy.testRetention;
    const bound = testRetentionMs ?? retentionMs;
    const { waitMs, marginMs } = ctx.options;
    if (bound !== undefined && waitMs >= bound) {
      return [
        finding(
          'error',
          'deviation',
          `option waitMs (${waitMs} ms) must stay below the ${testRetentionMs !== undefined ? 'test ' : ''}retention (${humanDuration(bound)})`,
          ctx.profile.cite.retention,
          [],
        ),
      ];
    }
    // Both originals first, one after the other (requests of one check never overlap, so a server
    // that serialises unrelated keys fails concurrent-duplicates, not this check); then the waits overlap.
    const begin = async (label: string) => {
      const key = ctx.keys.next();
      const body = ctx.requests.renderBody(ctx.endpoint, { key });
      const original = await send(ctx, `original (${label})`, { key, body });
      return { label, key, body, original, answeredAt: performance.now() };
    };
    const end = async (started: Awaited<ReturnType<typeof begin>>, delayMs: number): Promise<ExpiryRound | undefined> => {
      const { label, key, body, original, answeredAt } = started;
      ctx.note(`waiting ${humanDuration(delayMs)} before the ${label} retry`);
      if (!(await sleep(Math.max(0, answeredAt + delayMs - performance.now()), ctx.signal))) return undefined;
      const waitedMs = performance.now() - answeredAt;
      const retry = await send(ctx, `retry at +${humanDuration(Math.round(waitedMs))} (${label})`, { key, body });
      return { original, retry, count: await ctx.oracle.count(ctx.endpoint, key, [original, retry]), waitedMs };
    };
    const inside = await begin('inside retention');
    const past = testRetentionMs !== undefined && !ctx.signal.aborted ? await begin('past test retention') : undefined;
    const [before, after] = await Promise.all([
      end(inside, waitMs),
      past && testRetentionMs !== undefined ? end(past, testRetentionMs + marginMs) : Promise.resolve(undefined),
    ]);
    if (!before || ctx.signal.aborted) return [];
    const obs: ExpiryObservation = { before };
    if (retentionMs !== undefined) obs.retentionMs = retentionMs;
    if (testRetentionMs !== undefined) {
      obs.testRetentionMs = testRetentionMs;
      if (after) obs.after = after;
    }
    return judgeExpiry(obs, ctx.endpoint, ctx.profile);
  },
});
