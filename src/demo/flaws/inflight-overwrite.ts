// inflight-overwrite: the in-progress record is a plain value without a lease, and the claim is a
// plain SET rather than SET NX when it finds one: the next caller overwrites the record and runs, so
// a duplicate that arrives while the original is still running executes again (at once, unlike
// no-inflight, which waits for the original first).
// Owners, by root cause (a duplicate in flight is not refused): concurrent-duplicates, whose copies
// arrive while the first one runs, and timeout-retry, whose first retry is sent while the original
// provably still runs (judged from the ledger's arrival times). Completed keys still replay and a
// changed payload is still refused, so no other check has a reason to fail.
import type { ClaimStrategy } from '../../reference/layer/claim.js';
import { defineFlaw } from './types.js';

export function overwritingClaim(base: ClaimStrategy): ClaimStrategy {
  return async (ctx) => {
    const claimed = await base(ctx);
    if (claimed.kind !== 'in-flight') return claimed;
    // The blind SET: this caller now holds the record and runs; whatever it stores is the original's
    // record rewritten, so storing nothing models it (the original's completion still lands).
    return { kind: 'new', renew: async () => true, settle: async () => true };
  };
}

export const inflightOverwrite = defineFlaw({
  name: 'inflight-overwrite',
  description: 'an in-progress record without lease is overwritten by the next caller (SET, not SET NX): in-flight duplicates execute',
  bugClass: 'in-flight-handling',
  level: 'violation',
  caughtBy: ['concurrent-duplicates', 'timeout-retry'],
  apply: (base) => ({ ...base, claim: overwritingClaim(base.claim) }),
});
