// Per logical request, the dependency's side effect happens once, whatever retry situation the
// client causes: either the app never calls the dependency again, or every call carries the same key
// (a stable derivation, not one per attempt), so the dependency can dedupe. Four situations, one
// fresh key each: a repeat after completion; an in-flight duplicate (a burst of two); a client that
// gives up mid-flight (the app abandons the attempt after calling the dependency, and the retries
// run again once its in-flight lease expires); and a lost response (the fault proxy drops the app's
// answer after it committed).
import type { Exchange } from '../core/exchange.js';
import { statusOf } from '../core/exchange.js';
import type { RecordedCall } from '../downstream/index.js';
import { sleep } from '../engine/sleep.js';
import { DownstreamDedupeOptions as Options, type DownstreamSituation } from '../scenario/check-options/downstream-dedupe.js';
import { chaosOf, defineCheck, finding, type CheckContext, type Finding } from './api.js';
import { callFact, describeCalls, downstreamApplies, effectsOf, ownedBy as inconclusive, recording } from './downstream/calls.js';
import type { DownstreamBinding } from './downstream/port.js';
import { exchangeMeta, send } from './send.js';

const CITE = 'GUIDE section 6: failure simulation plan, "validate downstream side-effect dedupe"';
/**
 * Where the client gives up: half-way into a fresh request's time, after the app called the
 * dependency and before it answered. A try that gave up too late (the answer came first) halves the
 * point, one that gave up before the call moves it later; at most TIMEOUT_TRIES tries.
 */
const ABORT_FRACTION = 0.5;
const TIMEOUT_TRIES = 6;

export interface SituationRun {
  situation: DownstreamSituation;
  /** True, or why the situation did not happen as planned (the verdict then rests on less). */
  exercised: true | string;
  exchanges: Exchange[];
  calls: RecordedCall[];
}

/** Pure: the verdicts on one dependency from the situations' recorded calls. */
export function judgeDownstreamDedupe(dep: { name: string; url: string }, runs: SituationRun[]): Finding[] {
  const label = `${dep.name} (${dep.url})`;
  const facts = (r: SituationRun, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    downstream: dep.name,
    situation: r.situation,
    ...(r.exercised === true ? {} : { notExercised: r.exercised }),
    ...effectsOf(r.calls),
    calls: r.calls.map(callFact),
    ...extra,
  });
  if (runs.length > 0 && runs.every((r) => r.calls.length === 0)) {
    return [
      finding(
        'error',
        'deviation',
        `${label} recorded no call in any situation: is the app configured to call it (and does this endpoint call it)?`,
        CITE,
        runs.flatMap((r) => r.exchanges).slice(0, 10),
        { downstream: dep.name, situations: runs.map((r) => r.situation) },
      ),
    ];
  }
  const findings: Finding[] = [];
  for (const r of runs) {
    const e = effectsOf(r.calls);
    if (e.effects <= 1) continue;
    const f = finding(
      'fail',
      'violation',
      `${r.situation}: one logical request reached ${label} as ${e.effects} side effects (${describeCalls(r.calls)}): ${
        e.keys.length > 1 ? 'the key changes per attempt, so the dependency cannot dedupe' : 'calls without a key cannot be deduped'
      }`,
      CITE,
      r.exchanges,
      facts(r),
    );
    // Calls that carry no key at all are the propagation check's root cause, not a second one here.
    findings.push(e.keys.length === 0 ? inconclusive(f, 'downstream-propagation', 'the calls carried no key at all') : f);
  }
  if (findings.length > 0) return findings;
  const parts = runs.map((r) => {
    const e = effectsOf(r.calls);
    const what = e.calls <= 1 ? `${e.calls} call` : `${e.calls} calls, one key`;
    return `${r.situation} ${what}${r.exercised === true ? '' : ` (not exercised: ${r.exercised})`}`;
  });
  return [
    finding('pass', 'violation', `one side effect at ${label} per logical request: ${parts.join('; ')}`, CITE, runs.flatMap((r) => r.exchanges).slice(0, 10), {
      downstream: dep.name,
      situations: runs.map((r) => ({ situation: r.situation, exercised: r.exercised, ...effectsOf(r.calls) })),
    }),
    // A situation that did not happen as planned proved nothing: shown as skipped, never folded into the pass.
    ...runs
      .filter((r) => r.exercised !== true)
      .map((r) => finding('skip', 'observation', `${r.situation} not exercised at ${label}: ${String(r.exercised)}`, CITE, r.exchanges, facts(r))),
  ];
}

type Ctx = CheckContext<Options>;

async function sequentialReplay(ctx: Ctx): Promise<{ exercised: true | string; exchanges: Exchange[] }> {
  const key = ctx.keys.next();
  const body = ctx.requests.renderBody(ctx.endpoint, { key });
  const original = await send(ctx, 'sequential replay: original', { key, ...(body ? { body } : {}) });
  const replay = await send(ctx, 'sequential replay: repeat', { key, ...(body ? { body } : {}) });
  return { exercised: true, exchanges: [original, replay] };
}

async function inFlightDuplicate(ctx: Ctx): Promise<{ exercised: true | string; exchanges: Exchange[] }> {
  const key = ctx.keys.next();
  const body = ctx.requests.renderBody(ctx.endpoint, { key });
  const items = [1, 2].map((i) => ({
    request: ctx.requests.build({ endpoint: ctx.endpoint, key, ...(body ? { body } : {}) }),
    meta: exchangeMeta(ctx, `in-flight duplicate: copy ${i}/2`, key),
  }));
  const exchanges = await ctx.http.burst(items);
  return { exercised: true, exchanges };
}

/**
 * The client gives up half-way into a fresh request's time and closes its connection: an app that
 * dies with its request (or abandons it) has already called the dependency; the retries get 409
 * until its in-flight claim expires, then run the request again, and call the dependency again.
 */
async function timeoutRetry(ctx: Ctx, abortMs: number): Promise<{ exercised: true | string; exchanges: Exchange[] }> {
  const key = ctx.keys.next();
  const body = ctx.requests.renderBody(ctx.endpoint, { key });
  const req = ctx.requests.build({ endpoint: ctx.endpoint, key, ...(body ? { body } : {}) });
  const first = await ctx.http.send(req, exchangeMeta(ctx, `timeout retry: attempt 1 (client gives up at ${abortMs} ms)`, key), abortMs);
  const exchanges = [first];
  for (let i = 1; i <= ctx.options.retries && !ctx.signal.aborted; i++) {
    if (i > 1) await sleep(ctx.options.retryDelayMs, ctx.signal);
    const retry = await send(ctx, `timeout retry: retry ${i}`, { key, ...(body ? { body } : {}) });
    exchanges.push(retry);
    if (retry.response && retry.response.status !== 409) break;
  }
  const last = exchanges[exchanges.length - 1]!;
  const exercised: true | string = first.response
    ? `the first attempt was answered ${first.response.status} before the client gave up`
    : last.response?.status === 409
      ? `the app still answered 409 after ${exchanges.length - 1} retries (its in-flight lease outlasts them)`
      : true;
  // The first attempt, then the last retries: the 409s in between say only "still locked".
  return { exercised, exchanges: exchanges.length <= 10 ? exchanges : [first, ...exchanges.slice(-9)] };
}

/** The fault proxy drops the app's answer after the app committed; the client retries straight to the app. */
async function lostResponse(ctx: Ctx): Promise<{ exercised: true | string; exchanges: Exchange[] }> {
  const chaos = chaosOf(ctx);
  const proxy = await chaos.proxy([{ name: 'drop-response-after-upstream' }], 'downstream-dedupe/lost');
  try {
    const key = ctx.keys.next();
    const body = ctx.requests.renderBody(ctx.endpoint, { key });
    const req = ctx.requests.build({ endpoint: ctx.endpoint, key, ...(body ? { body } : {}) });
    const first = await ctx.http.send(proxy.via(req), exchangeMeta(ctx, 'lost response: attempt 1 (answer dropped by the proxy)', key));
    const retry = await send(ctx, 'lost response: retry', { key, ...(body ? { body } : {}) });
    const exercised: true | string = first.response ? `the proxy let the answer through (${statusOf(first)})` : true;
    return { exercised, exchanges: [first, retry] };
  } finally {
    await proxy.close();
  }
}

/** How long a fresh request takes (the faster of two: a cold first one overstates it), outside any situation's window. */
async function freshMs(ctx: Ctx): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 1; i <= 2; i++) {
    const fresh = await send(ctx, `timeout retry: measure a fresh request (${i}/2)`, { key: ctx.keys.next() });
    fastest = Math.min(fastest, fresh.durationMs);
  }
  return fastest;
}

/** The next give-up point after a try that was not exercised for `why`. */
export function nextAbortMs(abortMs: number, why: string): number {
  if (why.includes('before the client gave up') || why.includes('had finished')) return Math.max(1, Math.round(abortMs / 2));
  if (why.includes('before the app called')) return Math.round(abortMs * 1.5) + 1;
  return abortMs;
}

/**
 * Pure: whether the client's give-up left an unfinished request behind after the app called the
 * dependency: a call arrived before the first retry was sent, and the app had not finished (a retry
 * met its in-flight claim, 409, or the request ran again). A first retry answered at once by the
 * stored result means the give-up came too late to test anything.
 */
export function abandonedAfterCall(exchanges: readonly Exchange[], calls: readonly RecordedCall[], epochMs: (runMs: number) => number): true | string {
  const retries = exchanges.slice(1);
  const first = retries[0];
  if (!first) return 'no retry was sent';
  if (!calls.some((c) => c.arrivedAt < epochMs(first.startedAt))) return 'the client gave up before the app called the dependency';
  if (calls.length < 2 && !retries.some((e) => e.response?.status === 409)) return 'the app had finished the request when the client gave up';
  return true;
}

export const downstreamDedupe = defineCheck<Options>({
  id: 'downstream-dedupe',
  title: 'Downstream dedupe',
  summary:
    "per logical request the dependency's side effect happens once (replay, in-flight duplicate, timeout retry, lost response): no second call, or one key on every call",
  options: Options,
  declaredOnly: true,
  applies: (ctx) => downstreamApplies(ctx),
  async run(ctx) {
    const bindings: DownstreamBinding[] = ctx.downstream!.forEndpoint(ctx.endpoint.name);
    const runs = new Map<string, SituationRun[]>(bindings.map((b) => [b.name, []]));
    // Without the run clock's offset, run-clock readings stand in (only the direct audit lacks it).
    const epochMs = (runMs: number): number => (ctx.http.epochMs ? ctx.http.epochMs(runMs) : runMs);
    for (const situation of ctx.options.situations) {
      if (ctx.signal.aborted) break;
      ctx.note(situation);
      if (situation === 'timeout-retry') {
        let abortMs = Math.max(1, Math.round((await freshMs(ctx)) * ABORT_FRACTION));
        for (let i = 1; i <= TIMEOUT_TRIES && !ctx.signal.aborted; i++) {
          const { value, calls } = await recording(bindings, () => timeoutRetry(ctx, abortMs));
          const tries = bindings.map((b) => {
            const own = calls.get(b.name) ?? [];
            return { b, own, left: value.exercised === true ? abandonedAfterCall(value.exchanges, own, epochMs) : value.exercised };
          });
          const missed = tries.map((t) => t.left).find((l): l is string => l !== true);
          const last = missed === undefined || i === TIMEOUT_TRIES;
          // A try with a second effect is evidence whether or not it went as planned; otherwise only
          // the try that exercised the situation (or the last one, which says why not) is kept.
          for (const t of tries) {
            if (last || effectsOf(t.own).effects > 1) runs.get(t.b.name)!.push({ situation, exercised: t.left, exchanges: value.exchanges, calls: t.own });
          }
          if (last) break;
          abortMs = nextAbortMs(abortMs, missed);
        }
        continue;
      }
      const act = (): Promise<{ exercised: true | string; exchanges: Exchange[] }> =>
        situation === 'sequential-replay' ? sequentialReplay(ctx) : situation === 'in-flight-duplicate' ? inFlightDuplicate(ctx) : lostResponse(ctx);
      const { value, calls } = await recording(bindings, act);
      for (const b of bindings) runs.get(b.name)!.push({ situation, exercised: value.exercised, exchanges: value.exchanges, calls: calls.get(b.name) ?? [] });
    }
    return bindings.flatMap((b) => judgeDownstreamDedupe({ name: b.name, url: b.url }, runs.get(b.name)!));
  },
});
