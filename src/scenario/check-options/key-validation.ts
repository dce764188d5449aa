// Options of the `key-validation` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

export const KeyValidationOptions = z.strictObject({
  maxLength: z
    .number()
    .int()
    .min(1)
    .max(8192)
    .default(255)
    .describe('Longest key the profile allows; maxLength+1 characters must be refused, maxLength accepted'),
});
export type KeyValidationOptions = z.output<typeof KeyValidationOptions>;
