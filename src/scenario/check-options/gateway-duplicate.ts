// Options of the `gateway-duplicate` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

export const GatewayDuplicateOptions = z.strictObject({
  delaysMs: z
    .array(z.number().int().min(0).max(60_000))
    .min(1)
    .default([0, 25, 250])
    .describe('Delay between the two upstream copies, one round each (0: concurrent), when the endpoint declares no duplicate-upstream fault'),
  rounds: z.number().int().min(1).max(20).default(1).describe('Rounds per delay, each with a fresh key'),
  ignore: z.array(z.string().startsWith('/')).default([]).describe('JSON pointers ignored when comparing the final answer with its repeat'),
});
export type GatewayDuplicateOptions = z.output<typeof GatewayDuplicateOptions>;
