// race: check-then-set. The key is looked up, the handler runs, and only then is the key claimed,
// so every duplicate that arrives before the first finishes sees "absent" and runs too.
// With a window (`serve --flaw race --race-window 1ms`), the claim follows the lookup by that much
// instead, so only duplicates that arrive within the window of the first one run: a narrow race.
import { atomicClaim, type ClaimResult, type ClaimStrategy } from '../../reference/layer/claim.js';
import { preciseNow } from '../../reference/layer/clock.js';
import { defineFlaw } from './types.js';

export const checkThenSetClaim: ClaimStrategy = async ({ store, key, fingerprint, leaseMs, retentionMs }) => {
  const seen = await store.lookup(key, fingerprint);
  if (seen.kind !== 'absent' && seen.kind !== 'new') return seen;
  return {
    kind: 'new',
    // Nothing is held while the handler runs (that is the bug), so there is no lease to renew.
    renew: async () => true,
    settle: async (settlement) => {
      if (settlement.kind === 'abandon') return true;
      // The claim happens only now, long after the lookup: the window the bug lives in.
      const begun = await store.begin(key, fingerprint, { leaseMs });
      if (begun.kind !== 'new') return false;
      return settlement.kind === 'store' ? store.complete(key, begun.token, settlement.response, retentionMs) : store.release(key, begun.token);
    },
  };
};

/** A copy that looked before the claim landed: it runs, and its blind SET stores nothing that counts. */
const unclaimedRun: ClaimResult = { kind: 'new', renew: async () => true, settle: async () => true };

/**
 * Check-then-set whose claim lands `windowMs` after the lookup. The window is kept on the server's
 * clock rather than with a timer: the first copy claims at once and notes when, and a later copy
 * that finds that claim less than windowMs old acts as if its lookup had come first. A timer would
 * widen the window by however late the event loop is, and a busy machine would flatter the audit.
 */
export function windowedCheckThenSetClaim(windowMs: number, now: () => number = preciseNow): ClaimStrategy {
  // Scoped key -> when its pending claim began; an entry lives while that claim is in flight.
  const claimedAt = new Map<string, number>();
  return async (ctx) => {
    const seen = await ctx.store.lookup(ctx.key, ctx.fingerprint);
    const lookedAt = now();
    if (seen.kind === 'in-flight') {
      const began = claimedAt.get(ctx.key);
      if (began !== undefined && lookedAt - began < windowMs) return unclaimedRun;
      return seen;
    }
    if (seen.kind !== 'absent' && seen.kind !== 'new') return seen;
    const claimed = await atomicClaim(ctx);
    // Another copy claimed between this lookup and this claim (the same instant): inside the window.
    if (claimed.kind === 'in-flight') return unclaimedRun;
    if (claimed.kind !== 'new') return claimed;
    claimedAt.set(ctx.key, lookedAt);
    return {
      ...claimed,
      settle: (settlement) => {
        if (claimedAt.get(ctx.key) === lookedAt) claimedAt.delete(ctx.key);
        return claimed.settle(settlement);
      },
    };
  };
}

export const race = defineFlaw({
  name: 'race',
  description: 'non-atomic check-then-set claim: concurrent duplicates all execute (--race-window narrows it)',
  bugClass: 'non-atomic-claim',
  level: 'violation',
  caughtBy: ['concurrent-duplicates', 'load'],
  apply: (base, options) => ({
    ...base,
    claim: options?.raceWindowMs === undefined ? checkThenSetClaim : windowedCheckThenSetClaim(options.raceWindowMs),
  }),
});
