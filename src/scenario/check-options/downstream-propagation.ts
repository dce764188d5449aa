// Options of the `downstream-propagation` check: the light module the scenario loader validates with.
import { z } from 'zod';

export const DownstreamPropagationOptions = z.strictObject({
  requireCorrelation: z
    .boolean()
    .default(true)
    .describe('A correlation id that does not reach the dependency is a deviation (true) or only an observation (false)'),
});
export type DownstreamPropagationOptions = z.output<typeof DownstreamPropagationOptions>;
