// Options of the `expiry` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

export const ExpiryOptions = z.strictObject({
  waitMs: z
    .number()
    .int()
    .positive()
    .max(86_400_000)
    .default(1500)
    .describe('Age of the result at the retry inside the retention window, in ms; must stay below the declared (or test) retention'),
  marginMs: z
    .number()
    .int()
    .nonnegative()
    .max(3_600_000)
    .default(500)
    .describe('How long past policy.testRetention the retry that must run afresh is sent, in ms'),
});
export type ExpiryOptions = z.output<typeof ExpiryOptions>;
