// One round of a retry-shaped chaos check: a fresh key whose first attempt goes through the fault
// proxy, retries straight to the target under the policy (as after a transient fault), then a
// repeat of the request (the stored result, again) and the oracles. Everything lands in the history.
import type { CheckContext } from '../api.js';
import { sleep } from '../../engine/sleep.js';
import type { RetryRound } from './consistency.js';
import type { LedgerEntry } from '../../engine/history.js';
import { readOracle } from './observe.js';
import { runPath, sendAttempt, type PathAttempt, type PathRun } from './path.js';
import { notSent } from './plan.js';
import type { ChaosPort, ChaosProxy } from './port.js';

export interface RoundPlan {
  /** History process, e.g. `lost-response/create-payment/2`. */
  process: string;
  /** What is injected, for messages. */
  label: string;
  proxy: ChaosProxy;
  /** Client timeout of the first attempt (the one through the proxy). */
  firstTimeoutMs: number;
  /** Client timeout of the retries. */
  retryTimeoutMs: number;
  /** Whether the fault took hold of the first attempt; a string says why not. */
  exercised(first: PathAttempt, faultEvents: number, upstreamStatuses: number[] | undefined): true | string;
  /** Send the first retry at once (see PathSpec.firstRetryAtOnce). */
  firstRetryAtOnce?: boolean;
  /**
   * Where the first retry landed, judged from the timeline once the round is over; a round whose
   * retry did not land in flight is not exercised (timeout-retry).
   */
  landing?(path: PathRun, ledger: LedgerEntry[] | undefined): Landing;
}

export interface Landing {
  landed: 'in-flight' | 'after-commit' | 'unknown';
  /** What the timeline showed, e.g. "retry sent 61.2 ms before the original's answer". */
  detail: string;
}

/** Pause before the repeat, so a server that re-renders replays stamps a different millisecond. */
const VERIFY_GAP_MS = 5;

/** Runs one round; undefined when the gate refused to send (dry run, request cap, interruption). */
export async function runRetryRound(ctx: CheckContext<unknown>, chaos: ChaosPort, plan: RoundPlan): Promise<RetryRound | undefined> {
  const key = ctx.keys.next();
  const body = ctx.requests.renderBody(ctx.endpoint, { key });
  const path = await runPath(ctx, chaos, {
    process: plan.process,
    key,
    body,
    label: plan.label,
    route: (attempt) => (attempt === 1 ? { proxy: plan.proxy, timeoutMs: plan.firstTimeoutMs } : { timeoutMs: plan.retryTimeoutMs }),
    ...(plan.firstRetryAtOnce ? { firstRetryAtOnce: true } : {}),
  });
  const first = path.attempts[0];
  if (!first || notSent(first.exchange) || ctx.signal.aborted) return undefined;
  const faultOps = plan.proxy.ops().filter((op) => op.key === key);
  const upstreamStatuses = faultOps.find((op) => op.upstreamStatuses)?.upstreamStatuses;
  let exercised = plan.exercised(first, faultOps.length, upstreamStatuses);

  let verify: PathAttempt | undefined;
  if (path.final?.outcome.kind === 'ok') {
    await sleep(VERIFY_GAP_MS, ctx.signal);
    verify = await sendAttempt(ctx, chaos, { process: plan.process, key, body, role: 'verify', label: plan.label }, path.attempts.length + 1, {
      timeoutMs: plan.retryTimeoutMs,
    });
  }
  const exchanges = [...path.attempts.map((a) => a.exchange), ...(verify ? [verify.exchange] : [])];
  const oracle = await readOracle(ctx, chaos, key, exchanges);
  // Judged last: by now the original has answered the proxy (or never will).
  const landing = exercised === true ? plan.landing?.(path, oracle.ledger) : undefined;
  if (landing && landing.landed !== 'in-flight')
    exercised = `the first retry landed ${landing.landed === 'unknown' ? 'at an unknown time' : 'after the commit'} (${landing.detail})`;
  const ops = [...path.ops, ...faultOps, ...(verify ? [verify.invoke, verify.completion] : []), ...oracle.ops].sort((a, b) => a.index - b.index);
  const round: RetryRound = {
    label: plan.label,
    key,
    attempts: path.attempts.map((a) => ({ exchange: a.exchange, outcome: a.outcome })),
    stoppedBy: path.stoppedBy,
    exercised: exercised === true,
    count: oracle.count,
    ops,
  };
  if (exercised !== true) round.notExercised = exercised;
  if (landing) round.landing = landing;
  if (oracle.ledger) round.ledger = oracle.ledger;
  if (verify) round.verify = verify.exchange;
  if (upstreamStatuses) round.upstreamStatuses = upstreamStatuses;
  round.proxyCommand = plan.proxy.command;
  return round;
}
