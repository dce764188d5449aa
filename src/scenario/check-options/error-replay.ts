// Options of the `error-replay` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

const Trigger = z
  .unknown()
  .describe(
    "Body that makes the endpoint answer this error class: a JSON object is merged over the endpoint's body (templates apply), anything else replaces it",
  );

export const ErrorReplayOptions = z.strictObject({
  body4xx: Trigger.optional(),
  body5xx: Trigger.optional(),
  byEndpoint: z
    .record(z.string(), z.strictObject({ body4xx: Trigger.optional(), body5xx: Trigger.optional() }))
    .default({})
    .describe('Per-endpoint trigger bodies, overriding body4xx/body5xx for the endpoints named'),
});
export type ErrorReplayOptions = z.output<typeof ErrorReplayOptions>;
