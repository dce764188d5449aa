// Options of the `downstream-failure` check: the light module the scenario loader validates with.
import { z } from 'zod';

export const DownstreamFailureOptions = z.strictObject({
  retries: z.number().int().min(1).max(50).default(3).describe("Retries of the client's request after the dependency failed (same key, same body)"),
  retryDelayMs: z.number().int().min(0).max(60_000).default(100).describe('Pause between those retries'),
});
export type DownstreamFailureOptions = z.output<typeof DownstreamFailureOptions>;
