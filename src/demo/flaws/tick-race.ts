// tick-race: the narrowest check-then-set. The key is looked up, and claimed one event-loop tick
// later (GET, then SET); a duplicate whose lookup falls inside that tick sees "absent" and, since a
// plain SET never tells it lost, runs too. Only copies parsed in the same loop turn collide.
import { setImmediate as nextTick } from 'node:timers/promises';
import { atomicClaim, type ClaimStrategy } from '../../reference/layer/claim.js';
import { defineFlaw } from './types.js';

export const tickRaceClaim: ClaimStrategy = async (ctx) => {
  const seen = await ctx.store.lookup(ctx.key, ctx.fingerprint);
  if (seen.kind !== 'absent' && seen.kind !== 'new') return seen;
  await nextTick();
  const claimed = await atomicClaim(ctx);
  if (claimed.kind === 'new' || claimed.kind === 'completed' || claimed.kind === 'mismatch') return claimed;
  // Another copy claimed inside the tick: a blind SET would have overwritten it. Run, store nothing.
  return { kind: 'new', renew: async () => true, settle: async () => true };
};

export const tickRace = defineFlaw({
  name: 'tick-race',
  description: 'check-then-set one event-loop tick wide: duplicates parsed in the same loop turn all execute',
  bugClass: 'non-atomic-claim',
  level: 'violation',
  caughtBy: ['concurrent-duplicates'],
  apply: (base) => ({ ...base, claim: tickRaceClaim }),
});
