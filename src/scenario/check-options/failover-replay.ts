// Options of the `failover-replay` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

export const FailoverReplayOptions = z.strictObject({
  delaysMs: z
    .array(z.number().int().min(0).max(60_000))
    .min(1)
    .default([0, 50, 200, 1000])
    .describe(
      'Delays swept between the commit through the first target and the retry through each other one, a fresh key per delay; the smallest delay after which every retry replays is reported as the observed replication lag',
    ),
  rounds: z.number().int().min(1).max(20).default(1).describe('Rounds per delay, each with a fresh key'),
  ignore: z.array(z.string().startsWith('/')).default([]).describe('JSON pointers ignored when comparing the replay with the original'),
});
export type FailoverReplayOptions = z.output<typeof FailoverReplayOptions>;
