// Options of the `concurrent-duplicates` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

const Copies = z.number().int().min(2).max(256);

export const ConcurrentDuplicatesOptions = z.strictObject({
  copies: z
    .union([Copies, z.array(Copies).min(1)])
    .default(8)
    .describe('Copies per burst, or a list to sweep, e.g. [2, 8, 32, 64]'),
  rounds: z.number().int().min(1).max(50).default(3).describe('Bursts per burst size, each with a fresh key'),
  budgetMs: z
    .number()
    .int()
    .min(0)
    .max(600_000)
    .default(3000)
    .describe(
      'Milliseconds per endpoint to keep hunting for a race after the first bursts showed none, varying copies and the pause between bursts; 0 stops after the first bursts',
    ),
});
export type ConcurrentDuplicatesOptions = z.output<typeof ConcurrentDuplicatesOptions>;
