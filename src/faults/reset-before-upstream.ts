// reset-before-upstream: the control case for lost responses. The connection is reset before the
// upstream is contacted, so nothing can have executed and a retry must run the request once.
import { z } from 'zod';
import { defineFault, faultSpecBase } from './types.js';

export const ResetBeforeUpstreamSpecSchema = z
  .strictObject({ name: z.literal('reset-before-upstream'), ...faultSpecBase })
  .describe('reset-before-upstream: the client sees a reset and the upstream never sees the request');

export const resetBeforeUpstream = defineFault({
  name: 'reset-before-upstream',
  description: 'reset the client connection before contacting the upstream (control case: nothing executed)',
  schema: ResetBeforeUpstreamSpecSchema,
  async inject(ctx) {
    ctx.emit();
    ctx.reset();
  },
});
