// N copies of one request with one key, released together (last-byte sync). A correct server runs
// the side effect once and answers the others 409 (or replays, if they arrive after completion).
// `copies` may be a list, sweeping burst sizes over several rounds each, to report the distribution
// of executions per key rather than one lucky or unlucky sample.
// Once per endpoint it also releases as many requests with distinct fresh keys together: each is a
// first request and must run; refusing them (409/423) while another key's request runs is one lock
// shared by all keys, a deviation. No other check overlaps requests, so this one owns that finding.
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import { isLowerBound, type ExecutionCount } from '../engine/oracle.js';
import type { Profile } from '../profiles/index.js';
import { is5xx, isMarkedReplay, statusTally } from './compare.js';
import { exchangeMeta } from './send.js';
import { defineCheck, finding, presumes, type CheckContext, type Finding } from './api.js';
import { raceBound } from './race-confidence.js';
import { sleep } from '../engine/sleep.js';
import { EXECUTION_AFTER_COMPLETION } from './root-causes.js';

import { ConcurrentDuplicatesOptions as Options } from '../scenario/check-options/concurrent-duplicates.js';

export interface BurstRound {
  key: string;
  exchanges: Exchange[];
  count: ExecutionCount;
  /** Epoch ms (client clock) of the burst's first send, the release for every copy that connected; when the run can tell. */
  releasedAt?: number;
}

export interface SweepRow {
  copies: number;
  rounds: number;
  /** How many rounds ended with this many executions, e.g. { "1": 3 }. */
  executions: Record<string, number>;
  /** Largest arrival spread the server reported across the rounds, in ms (last byte to last byte). */
  maxArrivalSpreadMs?: number;
}

/** Whether every execution of a round arrived after the one before it had run (ledger timeline). */
export function afterCompletion(round: BurstRound): boolean {
  const t = round.count.timeline;
  if (!t || t.length < 2 || t.length !== round.count.executions) return false;
  const sorted = [...t].sort((a, b) => a.receivedAt - b.receivedAt);
  return sorted.every((e, i) => i === 0 || e.receivedAt > sorted[i - 1]!.executedAt);
}

/** Arrival spread of one burst as the server saw it, when its ledger reports arrivals. */
export function arrivalSpreadMs(round: BurstRound): number | undefined {
  const a = round.count.arrivals;
  if (!a || a.length < 2) return undefined;
  return Math.round((Math.max(...a) - Math.min(...a)) * 1000) / 1000;
}

/** Clocks of one host agree to well under this; a server's arrival outside the burst by more is another clock. */
const CLOCK_SLACK_MS = 2;

const r3 = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * When the server saw each copy arrive and each execution begin and end, in ms from the burst's
 * first send on the client's clock, for the race timeline. Only when the server's times fit inside the burst
 * (nothing arrives before it was sent or after every answer): otherwise the clocks differ and the
 * reason is given instead, so a picture never shows arrivals shifted by a clock offset.
 */
export function burstTimes(round: BurstRound): Record<string, unknown> {
  const arrivals = round.count.arrivals ?? [];
  const timeline = round.count.timeline ?? [];
  if (round.releasedAt === undefined || (arrivals.length === 0 && timeline.length === 0)) return {};
  const t0 = round.releasedAt;
  const start = Math.min(...round.exchanges.map((e) => e.startedAt));
  const last = Math.max(...round.exchanges.map((e) => e.startedAt + e.durationMs)) - start;
  const points = [...arrivals, ...timeline.flatMap((t) => [t.receivedAt, t.executedAt])].map((a) => a - t0);
  if (points.some((p) => p < -CLOCK_SLACK_MS || p > last + CLOCK_SLACK_MS)) {
    return {
      arrivalsUnaligned: `the server's times fall outside the burst by up to ${r3(Math.max(-Math.min(...points), Math.max(...points) - last))} ms: another clock`,
    };
  }
  return {
    arrivalsMs: arrivals.map((a) => r3(a - t0)).sort((a, b) => a - b),
    ...(timeline.length > 0 ? { executionsMs: timeline.map((t) => [r3(t.receivedAt - t0), r3(t.executedAt - t0)]) } : {}),
  };
}

export function sweepTable(rounds: BurstRound[]): SweepRow[] {
  const rows = new Map<number, SweepRow>();
  for (const r of rounds) {
    const copies = r.exchanges.length;
    const row = rows.get(copies) ?? { copies, rounds: 0, executions: {} };
    row.rounds += 1;
    const n = String(r.count.executions ?? 'unknown');
    row.executions[n] = (row.executions[n] ?? 0) + 1;
    const spread = arrivalSpreadMs(r);
    if (spread !== undefined) row.maxArrivalSpreadMs = Math.max(row.maxArrivalSpreadMs ?? 0, spread);
    rows.set(copies, row);
  }
  return [...rows.values()];
}

/**
 * How a burst's key came to execute more than once (`facts.duplicateExecution` of the finding that says
 * so): copies that ran concurrently (the race this check owns), or extra executions that each arrived
 * after the previous one had completed (a completed key executing again: not judged here).
 */
export type DuplicateExecution = 'concurrent' | 'after-completion';

/** Statuses that refuse a request because something else holds a lock: 409 Conflict, 423 Locked. */
const LOCKED = new Set([409, 423]);

/**
 * Pure: requests with distinct fresh keys released together. Each is a first request, so each must
 * run; one refused as "in progress" or "locked" was blocked by another key's request (a lock shared
 * by all keys, not one per key). Undefined when they all ran (or refusals of another kind, judged elsewhere).
 */
export function judgeUnrelatedKeys(unrelated: Exchange[], profile: Profile): Finding | undefined {
  const refused = unrelated.filter((e) => e.response !== undefined && LOCKED.has(e.response.status));
  if (refused.length === 0) return undefined;
  return {
    ...finding(
      'fail',
      'deviation',
      `${refused.length} of ${unrelated.length} requests with distinct fresh keys, sent together, were refused (${statusTally(unrelated)}): a request with one key blocked requests with unrelated keys (one lock for all keys, not one per key)`,
      profile.cite.inFlight,
      unrelated.slice(0, 10),
      { unrelatedKeys: statusTally(unrelated) },
    ),
    concurrent: true,
  };
}

export function judgeConcurrentDuplicates(
  rounds: BurstRound[],
  profile: Profile,
  hunt?: { planned: number; elapsedMs: number },
  unrelated: Exchange[] = [],
): Finding[] {
  const all = rounds.flatMap((r) => r.exchanges);
  const bound = raceBound(rounds.map((r) => r.count.arrivals));
  const facts = {
    sweep: sweepTable(rounds),
    oracles: rounds[0]?.count.by ?? {},
    statuses: statusTally(all),
    ...(hunt ? { hunt: { plannedBursts: hunt.planned, adaptiveBursts: rounds.length - hunt.planned, elapsedMs: Math.round(hunt.elapsedMs) } } : {}),
    raceBound: bound,
    ...(unrelated.length > 0 ? { unrelatedKeys: statusTally(unrelated) } : {}),
  };
  const findings: Finding[] = [];
  const blocked = judgeUnrelatedKeys(unrelated, profile);
  if (blocked) findings.push(blocked);

  const worst = rounds.reduce<BurstRound | undefined>((w, r) => ((r.count.executions ?? 0) > (w?.count.executions ?? 0) ? r : w), undefined);
  const doubledRounds = rounds.filter((r) => (r.count.executions ?? 0) > 1);
  if (doubledRounds.length > 0 && doubledRounds.every(afterCompletion)) {
    // Every extra execution arrived after the previous one had finished: the copies were not
    // concurrent (a slow release on a busy machine); that is a completed key executing again, which
    // sequential-replay and expiry own, not a race.
    const r = doubledRounds[0]!;
    findings.push({
      ...finding(
        'inconclusive',
        'violation',
        `not judged (root cause owned by sequential-replay or expiry): ${r.count.executions} executions for ${r.exchanges.length} copies, but each extra one arrived after the previous had completed (ledger timeline), so they did not run concurrently`,
        profile.cite.execution,
        r.exchanges,
        {
          ...facts,
          timeline: r.count.timeline,
          ...burstTimes(r),
          duplicateExecution: 'after-completion' satisfies DuplicateExecution,
          // Only sequential-replay's own "executed again" covers it, not any of its failures.
          inconclusive: { owner: 'sequential-replay', rootCause: EXECUTION_AFTER_COMPLETION },
        },
      ),
      concurrent: true,
    });
  } else if (worst && (worst.count.executions ?? 0) > 1) {
    const doubled = rounds.filter((r) => (r.count.executions ?? 0) > 1).length;
    findings.push({
      // An endpoint whose identical sequential retry already executes again has no idempotency to race.
      dependsOn: ['single-execution'],
      ...finding(
        'fail',
        'violation',
        `key executed ${worst.count.executions} times for ${worst.exchanges.length} concurrent copies (${statusTally(worst.exchanges)}); ${doubled} of ${rounds.length} bursts executed more than once`,
        profile.cite.execution,
        worst.exchanges,
        { ...facts, ...burstTimes(worst), duplicateExecution: 'concurrent' satisfies DuplicateExecution },
      ),
      concurrent: true,
    });
  }
  const fiveHundreds = all.filter(is5xx);
  if (fiveHundreds.length > 0) {
    findings.push(
      finding(
        'fail',
        'violation',
        `${fiveHundreds.length} concurrent duplicate(s) answered with a 5xx instead of a conflict`,
        profile.cite.inFlight,
        fiveHundreds.slice(0, 3),
        facts,
      ),
    );
  }
  const unanswered = all.filter((e) => !e.response);
  if (unanswered.length > 0) {
    findings.push(
      finding(
        'error',
        'deviation',
        `${unanswered.length} copies got no response (${unanswered[0]!.error})`,
        profile.cite.inFlight,
        unanswered.slice(0, 3),
        facts,
      ),
    );
  }
  if (!all.some(isSuccess)) {
    findings.push(
      finding(
        'error',
        'deviation',
        `no copy succeeded (${statusTally(all)}): check the endpoint's body, credentials and key format`,
        profile.cite.execution,
        all.slice(0, 2),
        facts,
      ),
    );
    return findings;
  }
  // Refused as locked while a lock shared by all keys was held: the unrelated-keys finding says so once.
  const lockedOut = (e: Exchange): boolean => blocked !== undefined && e.response !== undefined && LOCKED.has(e.response.status);
  const badLosers = all.filter((e) => e.response && !isSuccess(e) && !is5xx(e) && !profile.expect.inFlight.includes(e.response.status) && !lockedOut(e));
  if (badLosers.length > 0) {
    // A copy that arrived after the original completed gets the replay: if replays are broken, its
    // status says nothing about in-flight handling.
    findings.push(
      presumes(
        finding(
          'fail',
          'deviation',
          `in-flight duplicates answered ${statusOf(badLosers[0]!)} where ${profile.id} expects ${profile.expect.inFlight.join(' or ')}`,
          profile.cite.inFlight,
          badLosers.slice(0, 3),
          facts,
        ),
        'replay',
      ),
    );
  }
  const blind = rounds.filter((r) => r.count.executions === null);
  // Rounds whose count may miss executions (an instance no ledger shows) and shows no extra one.
  const bounded = rounds.filter((r) => isLowerBound(r.count) && r.count.executions! <= 1);
  // Without an oracle that sees every execution, copies that all succeeded are ambiguous (replays need
  // not be marked under every profile), but different bodies for one key cannot both be the stored
  // response, unless replays are re-rendered (presumed: the baseline tells).
  const divergent = [...blind, ...bounded].find((r) => new Set(r.exchanges.filter(isSuccess).map((e) => e.response!.body.toString('base64'))).size > 1);
  if (divergent) {
    findings.push({
      dependsOn: ['single-execution', 'replay-bytes'],
      ...finding(
        'fail',
        'violation',
        `${divergent.exchanges.filter(isSuccess).length} concurrent copies succeeded with different bodies for one key: it executed more than once`,
        profile.cite.execution,
        divergent.exchanges,
        { ...facts, duplicateExecution: 'concurrent' satisfies DuplicateExecution },
      ),
      concurrent: true,
    });
  } else if (blind.length > 0) {
    const probeError = blind.map((r) => r.count.probeError).find((e) => e !== undefined);
    findings.push(
      probeError
        ? finding('error', 'violation', `the side-effect probe failed (${probeError}), so executions cannot be counted`, profile.cite.execution, [], facts)
        : finding(
            'skip',
            'violation',
            'no side-effect oracle: declare `identity` or `probe` on the endpoint (or audit target self)',
            profile.cite.execution,
            [],
            facts,
          ),
    );
  }
  if (findings.length > 0) return findings;
  const sizes = [...new Set(rounds.map((r) => r.exchanges.length))].join('/');
  const by = Object.keys(rounds[0]?.count.by ?? {}).join(', ');
  const rulesOut =
    bound.windowMs !== undefined
      ? `; arrivals within ${bound.maxSpreadMs!.toFixed(3)} ms per burst: a check-then-set window of ${bound.windowMs.toFixed(3)} ms or more would have shown with ${Math.round(bound.confidence * 100)}% probability (first-two-arrival gaps as measured by the server)`
      : bound.gapsMs.length > 0
        ? `; too few bursts with arrival times to bound the window at ${Math.round(bound.confidence * 100)}%`
        : '; the target reports no arrival times, so no window width can be ruled out';
  return [
    finding(
      'pass',
      'violation',
      `no duplicate execution in ${rounds.length} bursts of ${sizes} copies (at most 1 execution per key, counted by ${by})${rulesOut}; others answered ${statusTally(all.filter((e) => !isSuccess(e) || isMarkedReplay(e))) || 'nothing'}`,
      profile.cite.execution,
      worst ? worst.exchanges.slice(0, 2) : [],
      facts,
    ),
  ];
}

/** Upper bound on adaptive bursts per endpoint, whatever the budget (the request cap also applies). */
const MAX_ADAPTIVE_BURSTS = 400;
/** Pauses between adaptive bursts, cycled: back to back, within a tick or two, a few timer ticks. */
const PAUSES_MS = [0, 1, 5];

/** Requests with `count` distinct fresh keys, released together like a burst's copies. */
async function sendUnrelated(ctx: CheckContext<Options>, count: number): Promise<Exchange[]> {
  const items = Array.from({ length: count }, (_, i) => {
    const key = ctx.keys.next();
    return { request: ctx.requests.build({ endpoint: ctx.endpoint, key }), meta: exchangeMeta(ctx, `unrelated key ${i + 1}/${count}`, key) };
  });
  return ctx.http.burst(items);
}

async function sendBurst(ctx: CheckContext<Options>, copies: number): Promise<BurstRound> {
  const key = ctx.keys.next();
  const request = ctx.requests.build({ endpoint: ctx.endpoint, key });
  const items = Array.from({ length: copies }, (_, i) => ({ request, meta: exchangeMeta(ctx, `copy ${i + 1}/${copies}`, key) }));
  const exchanges = await ctx.http.burst(items);
  // Copies carry the release time as their start (see engine/burst.ts); the race timeline's origin is the earliest.
  const releasedAt = exchanges.length > 0 && ctx.http.epochMs ? ctx.http.epochMs(Math.min(...exchanges.map((e) => e.startedAt))) : undefined;
  return { key, exchanges, count: await ctx.oracle.count(ctx.endpoint, key, exchanges), ...(releasedAt !== undefined ? { releasedAt } : {}) };
}

export const concurrentDuplicates = defineCheck<Options>({
  id: 'concurrent-duplicates',
  title: 'Concurrent duplicates',
  summary: 'N copies with one key released together (last-byte sync): at most one execution, the rest 409',
  options: Options,
  async run(ctx) {
    const started = performance.now();
    const sizes = Array.isArray(ctx.options.copies) ? ctx.options.copies : [ctx.options.copies];
    const rounds: BurstRound[] = [];
    for (const copies of sizes) {
      for (let r = 1; r <= ctx.options.rounds && !ctx.signal.aborted; r++) {
        ctx.note(`${copies} copies, round ${r}/${ctx.options.rounds}`);
        rounds.push(await sendBurst(ctx, copies));
      }
    }
    const planned = rounds.length;
    // Distinct keys at once: each must run. A lock shared by all keys refuses all but one of them.
    ctx.note(`${sizes[0]} distinct keys released together`);
    const unrelated = ctx.signal.aborted ? [] : await sendUnrelated(ctx, sizes[0]!);
    // Adaptive hunt: a clean start proves little about a narrow race, so keep bursting within the
    // budget, varying the burst size and the pause between bursts (which shifts where each burst
    // lands in the server's event loop, timers and GC), until a duplicate shows or time runs out.
    // Only while every burst could be counted and nothing else went wrong: then more bursts add nothing.
    const clean = (r: BurstRound): boolean =>
      r.count.executions !== null && r.count.executions <= 1 && r.exchanges.every((e) => e.response && e.response.status < 500);
    const base = sizes[0]!;
    const variants = [...new Set([base, Math.min(256, base * 2), Math.max(2, Math.floor(base / 2)), Math.min(256, base * 4)])];
    for (let i = 0; rounds.every(clean) && performance.now() - started < ctx.options.budgetMs && i < MAX_ADAPTIVE_BURSTS && !ctx.signal.aborted; i++) {
      const copies = variants[i % variants.length]!;
      const pauseMs = PAUSES_MS[Math.floor(i / variants.length) % PAUSES_MS.length]!;
      if (i % 10 === 0) ctx.note(`hunting for a race: ${rounds.length} clean bursts so far`);
      if (pauseMs > 0) await sleep(pauseMs, ctx.signal);
      rounds.push(await sendBurst(ctx, copies));
    }
    return judgeConcurrentDuplicates(rounds, ctx.profile, { planned, elapsedMs: performance.now() - started }, unrelated);
  },
});
