// Options of the `fingerprint` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

export const VARIANTS = ['reordered', 'whitespace', 'numeric', 'exponent', 'query-order'] as const;
export type VariantName = (typeof VARIANTS)[number];

export const FingerprintOptions = z.strictObject({
  variants: z
    .array(z.enum(VARIANTS))
    .min(1)
    .default([...VARIANTS])
    .describe('Which equivalent variants of the request to send'),
});
export type FingerprintOptions = z.output<typeof FingerprintOptions>;
