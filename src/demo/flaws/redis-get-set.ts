// redis-get-set: the claim split in two Redis commands, GET then SET, by a service that runs as
// several processes sharing one Redis. Two copies of a request that reach different processes both
// GET "absent" before either SET lands, and both run: the race lives in the network round trip
// between the commands, not in one event loop, so only a server run as two processes shows it for
// real (test/support/two-process.mjs). Redis only: the server refuses it with another store.
// Owner: concurrent-duplicates (concurrent copies of one key execute more than once).
import { atomicClaim, type ClaimStrategy } from '../../reference/layer/claim.js';
import { defineFlaw } from './types.js';

export const getThenSetClaim: ClaimStrategy = async (ctx) => {
  const seen = await ctx.store.lookup(ctx.key, ctx.fingerprint);
  if (seen.kind !== 'absent' && seen.kind !== 'new') return seen;
  const claimed = await atomicClaim(ctx);
  if (claimed.kind !== 'in-flight') return claimed;
  // Someone SET between this GET and this SET: a plain SET overwrites it and never tells. Run, store nothing.
  return { kind: 'new', renew: async () => true, settle: async () => true };
};

/** Stores the flaw is meaningful with (a shared Redis); the server refuses it with any other. */
export const REDIS_ONLY_FLAWS: readonly string[] = ['redis-get-set'];

export const redisGetSet = defineFlaw({
  name: 'redis-get-set',
  description: 'claim split as GET then SET across processes sharing Redis: copies on different processes all execute (redis store only)',
  bugClass: 'non-atomic-claim',
  level: 'violation',
  caughtBy: ['concurrent-duplicates'],
  apply: (base) => ({ ...base, claim: getThenSetClaim }),
});
