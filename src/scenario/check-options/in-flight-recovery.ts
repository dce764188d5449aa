// Options of the `in-flight-recovery` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

export const InFlightRecoveryOptions = z.strictObject({
  leaseMs: z
    .number()
    .int()
    .positive()
    .max(86_400_000)
    .optional()
    .describe("Declared lease; default the endpoint's policy.lease, the embedded server's self.leaseMs, what a reference target reports, else 30000"),
  pollMs: z.number().int().min(10).max(60_000).default(100).describe('Interval between polls with the same key'),
  marginMs: z
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .optional()
    .describe('Grace past the lease before 409 counts as never recovering; default max(1000, lease/5)'),
  abandonAfterMs: z
    .number()
    .int()
    .positive()
    .max(600_000)
    .optional()
    .describe('When the client disconnects from the original; default half way through a fresh request, measured once'),
  ignore: z.array(z.string().startsWith('/')).default([]).describe('JSON pointers ignored when comparing the recovered answer with its repeat'),
});
export type InFlightRecoveryOptions = z.output<typeof InFlightRecoveryOptions>;
