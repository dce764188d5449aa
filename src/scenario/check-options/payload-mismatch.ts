// Options of the `payload-mismatch` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

export const PayloadMismatchOptions = z.strictObject({
  ignore: z.array(z.string().startsWith('/')).default([]).describe('JSON pointers ignored when comparing the original with its later replay'),
});
export type PayloadMismatchOptions = z.output<typeof PayloadMismatchOptions>;
