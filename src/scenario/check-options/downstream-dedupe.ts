// Options of the `downstream-dedupe` check: the light module the scenario loader validates with.
import { z } from 'zod';

export const DOWNSTREAM_SITUATIONS = ['sequential-replay', 'in-flight-duplicate', 'timeout-retry', 'lost-response'] as const;
export type DownstreamSituation = (typeof DOWNSTREAM_SITUATIONS)[number];

export const DownstreamDedupeOptions = z.strictObject({
  situations: z
    .array(z.enum(DOWNSTREAM_SITUATIONS))
    .min(1)
    .default([...DOWNSTREAM_SITUATIONS])
    .describe('Retry situations to run, one logical request each'),
  retries: z
    .number()
    .int()
    .min(1)
    .max(200)
    .default(30)
    .describe('timeout-retry: retries after the abandoned attempt until the app answers other than 409 (its in-flight lease must expire within them)'),
  retryDelayMs: z.number().int().min(0).max(60_000).default(100).describe('timeout-retry: pause between those retries'),
});
export type DownstreamDedupeOptions = z.output<typeof DownstreamDedupeOptions>;
