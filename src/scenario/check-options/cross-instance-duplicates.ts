// Options of the `cross-instance-duplicates` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

export const CrossInstanceDuplicatesOptions = z.strictObject({
  copies: z
    .number()
    .int()
    .min(2)
    .max(256)
    .default(8)
    .describe('Copies per burst, dealt round-robin across the declared targets (every instance gets at least one)'),
  rounds: z.number().int().min(1).max(50).default(5).describe('Bursts, each with a fresh key'),
});
export type CrossInstanceDuplicatesOptions = z.output<typeof CrossInstanceDuplicatesOptions>;
