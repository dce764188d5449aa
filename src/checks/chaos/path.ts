// One request path under chaos: the same key and body sent attempt after attempt under the
// scenario's retry policy, each attempt routed through the fault proxy or straight to the target,
// and every attempt written to the history as an invoke and its completion (ok / fail / unknown).
import type { CheckContext } from '../api.js';
import { exchangeMeta } from '../send.js';
import type { Exchange } from '../../core/exchange.js';
import { sha256 } from '../../core/exchange.js';
import type { HistoryOp } from '../../engine/history.js';
import { realSleep, runWithRetry, type AttemptOutcome, type RetryPolicy, type StopReason } from '../../engine/retry/index.js';
import { identityOf, notSent, outcomeOfExchange } from './outcome.js';
import type { ChaosPort, ChaosProxy } from './port.js';

export interface Route {
  /** Through this fault proxy; absent: straight to the target. */
  proxy?: ChaosProxy;
  /** Client timeout of the attempt, in milliseconds. */
  timeoutMs: number;
}

export interface AttemptSpec {
  /** History process, e.g. `timeout-retry/create-payment/1`. */
  process: string;
  key: string;
  body: Buffer | undefined;
  tenant?: string;
  /** What the attempt is for when it is not part of the retry loop: calibrate, abandon, poll, verify, outage. */
  role?: string;
  /** Exchange label prefix for evidence, e.g. "lost response". */
  label?: string;
}

export interface PathAttempt {
  attempt: number;
  exchange: Exchange;
  outcome: AttemptOutcome;
  route: 'proxy' | 'direct';
  invoke: HistoryOp;
  completion: HistoryOp;
}

export interface PathSpec extends AttemptSpec {
  /** The route of attempt n (1-based); by default the first through `proxy`, the rest direct. */
  route(attempt: number): Route;
  /** Default: the scenario's policy. */
  policy?: RetryPolicy;
  /** Send the first retry at once, without the policy's backoff (the rest follow the policy). */
  firstRetryAtOnce?: boolean;
}

export interface PathRun {
  key: string;
  attempts: PathAttempt[];
  stoppedBy: StopReason;
  /** The last attempt: what the client ends up with. */
  final?: PathAttempt;
  /** The history operations of every attempt, in order. */
  ops: HistoryOp[];
}

const pathOf = (url: string): string => {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
};

/** Sends one attempt along `route`, recording its invoke and completion; never throws for network failures. */
export async function sendAttempt(ctx: CheckContext<unknown>, chaos: ChaosPort, spec: AttemptSpec, attempt: number, route: Route): Promise<PathAttempt> {
  const direct = ctx.requests.build({
    endpoint: ctx.endpoint,
    key: spec.key,
    ...(spec.body ? { body: spec.body } : {}),
    ...(spec.tenant ? { tenant: spec.tenant } : {}),
  });
  const req = route.proxy ? route.proxy.via(direct) : direct;
  const faults = route.proxy ? route.proxy.faults.map((f) => f.name) : undefined;
  const common = {
    process: spec.process,
    f: `${direct.method} ${pathOf(direct.url)}`,
    key: spec.key,
    attempt,
    ...(spec.role ? { role: spec.role } : {}),
  };
  const invoke = chaos.record({
    type: 'invoke',
    ...common,
    route: route.proxy ? 'proxy' : 'direct',
    ...(faults ? { faults } : {}),
    timeoutMs: route.timeoutMs,
  });
  const what = spec.role ?? 'attempt';
  const via = route.proxy ? ` via proxy (${faults!.length > 0 ? faults!.join(', ') : 'transparent'})` : '';
  const label = `${spec.label ? `${spec.label}: ` : ''}${what} ${attempt}${via}`;
  const exchange = await ctx.http.send(req, exchangeMeta(ctx, label, spec.key, spec.tenant ?? ctx.requests.defaultTenant), route.timeoutMs);
  const outcome = outcomeOfExchange(exchange);
  const identity = identityOf(exchange, ctx.endpoint.identity);
  const completion = chaos.record({
    type: outcome.kind,
    ...common,
    seq: exchange.seq,
    durationMs: Math.round(exchange.durationMs * 1000) / 1000,
    ...(exchange.response ? { status: exchange.response.status, bodySha256: exchange.response.truncated?.sha256 ?? sha256(exchange.response.body) } : {}),
    ...(exchange.error !== undefined ? { error: exchange.error } : {}),
    ...(identity !== undefined ? { identity } : {}),
  });
  chaos.emit({
    type: 'attempt',
    key: spec.key,
    attempt,
    outcome: outcome.kind,
    detail: `${what} ${attempt}${route.proxy ? ' via proxy' : ''}: ${exchange.response ? exchange.response.status : (exchange.error ?? 'no answer')}`,
  });
  return { attempt, exchange, outcome, route: route.proxy ? 'proxy' : 'direct', invoke, completion };
}

/** Runs the path under the retry policy (same key, same body every attempt). */
export async function runPath(ctx: CheckContext<unknown>, chaos: ChaosPort, spec: PathSpec): Promise<PathRun> {
  const policy = spec.policy ?? chaos.policy;
  const attempts: PathAttempt[] = [];
  // A request the gate refused (dry run, request cap) ends the path: retrying it cannot help.
  const refused = new AbortController();
  const run = await runWithRetry<PathAttempt>(
    policy,
    async ({ attempt }) => {
      const done = await sendAttempt(ctx, chaos, spec, attempt, spec.route(attempt));
      attempts.push(done);
      if (notSent(done.exchange)) refused.abort();
      return { outcome: done.outcome, value: done };
    },
    {
      rng: chaos.rng(`retry/${spec.process}`),
      sleep: spec.firstRetryAtOnce ? atOnceThen(realSleep) : realSleep,
      now: Date.now,
      signal: AbortSignal.any([ctx.signal, refused.signal]),
      ...(chaos.budget ? { budget: chaos.budget } : {}),
      budgetKey: `${ctx.endpoint.method} ${ctx.endpoint.path}`,
    },
  );
  const result: PathRun = { key: spec.key, attempts, stoppedBy: run.stoppedBy, ops: attempts.flatMap((a) => [a.invoke, a.completion]) };
  const final = attempts.at(-1);
  if (final) result.final = final;
  return result;
}

/** A sleep whose first wait is skipped: the first retry goes out while the original may still run. */
function atOnceThen(sleep: (ms: number, signal?: AbortSignal) => Promise<void>): (ms: number, signal?: AbortSignal) => Promise<void> {
  let first = true;
  return async (ms, signal) => {
    if (first) {
      first = false;
      return;
    }
    await sleep(ms, signal);
  };
}

/** Run-clock time (ms) of an attempt's answer: when its exchange ended. */
export const answeredAt = (a: PathAttempt): number => a.exchange.startedAt + a.exchange.durationMs;
