// fail-open: when the store cannot answer, the mutation runs anyway, unprotected: during a store
// outage every retry executes again.
import { defineFlaw } from './types.js';

export const failOpen = defineFlaw({
  name: 'fail-open',
  description: 'store errors let the mutation run unprotected instead of 503',
  bugClass: 'fail-open',
  level: 'violation',
  // Invisible while the store is healthy: only a store outage (the store-outage check) shows it.
  caughtBy: ['store-outage'],
  apply: (base) => ({ ...base, onStoreError: (ctx) => ctx.executeUnclaimed() }),
});
