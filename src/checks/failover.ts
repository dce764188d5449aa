// The failover round both instance checks send: commit a key through one instance (or region), then
// retry it through another, at once or after a delay, as a client does after a failover, and count the
// executions across every instance's ledger. failover-replay sweeps it over delays and judges it;
// cross-instance-duplicates sends it once, at once, to tell which story its split burst's second
// execution belongs to (instances that do not share completed keys at all, or only the in-flight claim).
import type { Exchange } from '../core/exchange.js';
import { isSuccess } from '../core/exchange.js';
import type { LedgerPlan } from '../engine/ledger-merge.js';
import { isLowerBound, type ExecutionCount } from '../engine/oracle.js';
import { sleep } from '../engine/sleep.js';
import { compareBodies } from './compare.js';
import { exchangeMeta } from './send.js';
import type { CheckContext, TargetInstance } from './api.js';
import { onInstance } from './instances.js';

export interface FailoverRound {
  delayMs: number;
  from: string;
  to: string;
  original: Exchange;
  retry: Exchange;
  count: ExecutionCount;
}

export type FailoverOutcome = 'replayed' | 'conflict' | 'executed' | 'differs' | 'unknown' | 'failed';

/**
 * A second execution only a different answer can show: no count, or a lower bound that counts no more
 * than one (see isLowerBound). Such an inference presumes replays answer the stored bytes.
 */
export function onlyInferable(count: ExecutionCount): boolean {
  return count.executions === null || (isLowerBound(count) && count.executions <= 1);
}

/** "2 executions", "at least 2 executions" (a lower bound), or what showed it when no count could (a different answer). */
export function executionsText(count: ExecutionCount): string {
  if (onlyInferable(count)) return 'answered with a different response';
  return `${isLowerBound(count) ? 'at least ' : ''}${count.executions} executions`;
}

/** A count that sees every instance: it can say "no second execution". */
export function exactCount(count: ExecutionCount): boolean {
  return count.executions !== null && count.ledgers !== 'uncertain';
}

/** The retry executed again by the count itself, not inferred from a different answer. */
export function countedAgain(r: FailoverRound): boolean {
  return (r.count.executions ?? 0) > 1;
}

/** What one retry through the other instance amounted to. */
export function outcomeOf(r: FailoverRound, ignore: string[] = []): FailoverOutcome {
  if (!isSuccess(r.original) || !r.retry.response) return 'failed';
  if ((r.count.executions ?? 0) > 1) return 'executed';
  if (r.retry.response.status === 409) return 'conflict';
  const body = compareBodies(r.original, r.retry, ignore);
  // A retry answered with another status or other bytes is not the stored response. Without a count
  // that can see it (no oracle, or one that may miss executions), a different success is the only sign
  // a second execution leaves; a refusal (4xx, 5xx) is not an execution's answer.
  if (r.retry.response.status !== r.original.response!.status || body === 'different')
    return onlyInferable(r.count) && isSuccess(r.retry) ? 'executed' : 'differs';
  return r.count.executions === null ? 'unknown' : 'replayed';
}

/**
 * Sends one failover round on a fresh key: the commit through `from`, then (after `delayMs`) the
 * identical retry through `to`, counted over `ledgers`. `label` prefixes the evidence labels
 * ("commit via eu", "retry via us after 0 ms").
 */
export async function sendFailoverRound(
  ctx: CheckContext<unknown>,
  from: TargetInstance,
  to: TargetInstance,
  delayMs: number,
  ledgers: string[] | LedgerPlan,
  label = '',
): Promise<FailoverRound> {
  const key = ctx.keys.next();
  const request = ctx.requests.build({ endpoint: ctx.endpoint, key });
  const original = await ctx.http.send(onInstance(ctx, request, from), exchangeMeta(ctx, `${label}commit via ${from.name}`, key));
  if (delayMs > 0) await sleep(delayMs, ctx.signal);
  const retry = await ctx.http.send(onInstance(ctx, request, to), exchangeMeta(ctx, `${label}retry via ${to.name} after ${delayMs} ms`, key));
  const count = await ctx.oracle.count(ctx.endpoint, key, [original, retry], undefined, ledgers);
  return { delayMs, from: from.name, to: to.name, original, retry, count };
}
