// Options of the `cross-endpoint` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

export const CrossEndpointOptions = z.strictObject({
  other: z
    .string()
    .min(1)
    .optional()
    .describe('Endpoint that receives the reused key (default: the next endpoint declared; an endpoint naming itself uses the default)'),
  method: z
    .enum(['POST', 'PUT', 'PATCH', 'DELETE'])
    .optional()
    .describe('Also reuse the key with this method on the same path (off by default: it sends an unusual request to the target)'),
});
export type CrossEndpointOptions = z.output<typeof CrossEndpointOptions>;
