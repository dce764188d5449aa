// Options of the `store-outage` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

export const StoreOutageOptions = z.strictObject({
  outageMs: z.number().int().min(100).max(600_000).default(1_500).describe('How long the store stays unavailable'),
  settleMs: z.number().int().min(0).max(60_000).default(100).describe('Wait after the announced end of the outage before retrying'),
});
export type StoreOutageOptions = z.output<typeof StoreOutageOptions>;
