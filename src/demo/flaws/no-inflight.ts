// no-inflight: a duplicate that arrives while the original runs waits for it to finish and then
// executes again, instead of answering 409. Waiting is bounded by the lease (or 30 s).
import { setTimeout as sleep } from 'node:timers/promises';
import type { InFlightContext } from '../../reference/layer/behaviour.js';
import type { ResponseEnvelope } from '../../reference/layer/types.js';
import { defineFlaw } from './types.js';

const POLL_INTERVAL_MS = 10;
const MAX_WAIT_MS = 30_000;

export async function waitThenExecute(ctx: InFlightContext): Promise<ResponseEnvelope> {
  const budget = ctx.leaseMs > 0 ? Math.min(ctx.leaseMs, MAX_WAIT_MS) : MAX_WAIT_MS;
  const deadline = Date.now() + budget;
  while (Date.now() < deadline) {
    const seen = await ctx.store.lookup(ctx.key, ctx.fingerprint).catch(() => undefined);
    if (!seen || seen.kind !== 'in-flight') break;
    await sleep(POLL_INTERVAL_MS);
  }
  return ctx.executeUnclaimed();
}

export const noInflight = defineFlaw({
  name: 'no-inflight',
  description: 'a duplicate during the original waits for it, then executes again instead of 409',
  bugClass: 'in-flight-handling',
  level: 'violation',
  caughtBy: ['concurrent-duplicates', 'gateway-duplicate', 'timeout-retry', 'load'],
  apply: (base) => ({ ...base, onInFlight: waitThenExecute }),
});
