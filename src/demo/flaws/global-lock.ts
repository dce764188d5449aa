// global-lock: one lock for the whole service instead of one per key (a process-wide mutex, or a
// store lock with a constant name). While any request runs, a request with an unrelated key is
// refused 423 Locked; duplicates of the running key still get the usual 409, and sequential traffic
// never notices. Owner: concurrent-duplicates, which releases requests with distinct fresh keys
// together (each must run); no other check sends unrelated keys at the same time.
import type { InFlightContext, LayerBehaviour } from '../../reference/layer/behaviour.js';
import type { ClaimStrategy } from '../../reference/layer/claim.js';
import { problemResponse } from '../../reference/layer/problem.js';
import type { ResponseEnvelope } from '../../reference/layer/types.js';
import { defineFlaw } from './types.js';

const locked = (): ResponseEnvelope =>
  problemResponse({
    status: 423,
    slug: 'locked',
    title: 'Another request is being processed',
    detail: 'Retry later.',
    headers: { 'retry-after': '1' },
  });

/** The lock and the two decisions it changes; one per server (apply is called once per server). */
export function globalLock(base: LayerBehaviour): Pick<LayerBehaviour, 'claim' | 'onInFlight'> {
  // The key holding the lock, and how many of its claims are running.
  let holder: string | undefined;
  const claim: ClaimStrategy = async (ctx) => {
    if (holder !== undefined && holder !== ctx.key) return { kind: 'in-flight' };
    const claimed = await base.claim(ctx);
    if (claimed.kind !== 'new') return claimed;
    if (holder !== undefined && holder !== ctx.key) {
      // Lost the lock to another key while claiming: give the claim back, refuse.
      await claimed.settle({ kind: 'release' });
      return { kind: 'in-flight' };
    }
    holder = ctx.key;
    return {
      ...claimed,
      settle: (settlement) => {
        if (holder === ctx.key) holder = undefined;
        return claimed.settle(settlement);
      },
    };
  };
  // Refused because of another key: 423. Refused because this key itself runs: the usual answer.
  const onInFlight = async (ctx: InFlightContext): Promise<ResponseEnvelope> => {
    const own = await ctx.store.lookup(ctx.key, ctx.fingerprint).catch(() => undefined);
    return own?.kind === 'in-flight' ? base.onInFlight(ctx) : locked();
  };
  return { claim, onInFlight };
}

export const globalLockFlaw = defineFlaw({
  name: 'global-lock',
  description: 'one lock for all keys: while any request runs, requests with unrelated keys are refused 423',
  bugClass: 'in-flight-handling',
  level: 'deviation',
  caughtBy: ['concurrent-duplicates'],
  apply: (base) => ({ ...base, ...globalLock(base) }),
});
