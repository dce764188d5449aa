// poison: rejecting a reuse with another payload deletes the stored original, so the original's own
// retry then executes again.
import { defineFlaw } from './types.js';

export const poison = defineFlaw({
  name: 'poison',
  description: 'a rejected mismatch deletes the stored original: its retry executes again',
  bugClass: 'payload-check',
  level: 'violation',
  caughtBy: ['payload-mismatch', 'fingerprint', 'cross-endpoint'],
  apply: (base) => ({
    ...base,
    onMismatch: async (ctx) => {
      await base.onMismatch(ctx);
      await ctx.store.forget(ctx.key);
    },
  }),
});
