// Options of the `lost-response` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';
import { FAULT_KINDS } from './fault-kinds.js';

const LostFault = z.enum(FAULT_KINDS['lost-response']);

export const LostResponseOptions = z.strictObject({
  faults: z
    .array(LostFault)
    .min(1)
    .default(['drop-response-after-upstream', 'stall-response', 'truncate-body'])
    .describe('Faults to run one round each with (default options), when the endpoint declares none of them'),
  timeoutMs: z.number().int().positive().max(600_000).default(2_000).describe('Client timeout of the first attempt: how long a stalled answer is waited for'),
  ignore: z.array(z.string().startsWith('/')).default([]).describe('JSON pointers ignored when comparing the final answer with its repeat'),
});
export type LostResponseOptions = z.output<typeof LostResponseOptions>;
