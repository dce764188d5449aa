// Options of the `timeout-retry` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

export const TimeoutRetryOptions = z.strictObject({
  timeoutMs: z
    .number()
    .int()
    .positive()
    .max(600_000)
    .optional()
    .describe('Client timeout of the first attempt; default: a quarter into the handler time, measured as the faster of two fresh requests through the proxy'),
  latencyMs: z
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(0)
    .describe('Delay the proxy adds before forwarding the first attempt, when the endpoint declares no latency fault'),
  rounds: z.number().int().min(1).max(20).default(2).describe('Rounds, each with a fresh key'),
  ignore: z.array(z.string().startsWith('/')).default([]).describe('JSON pointers ignored when comparing the final answer with its repeat'),
});
export type TimeoutRetryOptions = z.output<typeof TimeoutRetryOptions>;
