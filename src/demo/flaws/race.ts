// race: check-then-set. The key is looked up, the handler runs, and only then is the key claimed,
// so every duplicate that arrives before the first finishes sees "absent" and runs too.
import type { ClaimStrategy } from '../../reference/layer/claim.js';
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

export const race = defineFlaw({
  name: 'race',
  description: 'non-atomic check-then-set claim: concurrent duplicates all execute',
  bugClass: 'non-atomic-claim',
  level: 'violation',
  caughtBy: ['concurrent-duplicates', 'load'],
  apply: (base) => ({ ...base, claim: checkThenSetClaim }),
});
