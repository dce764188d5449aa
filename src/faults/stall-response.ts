// stall-response: like a load balancer that never relays the answer. The upstream finishes, the
// client waits `holdMs` for nothing and then sees the connection closed; usually its own timeout
// fires first. Held connections never keep the proxy open: close() destroys them.
import { z } from 'zod';
import { defineFault, faultSpecBase } from './types.js';

export const StallResponseSpecSchema = z
  .strictObject({
    name: z.literal('stall-response'),
    ...faultSpecBase,
    holdMs: z.number().int().min(0).max(600_000).default(30_000)
      .describe('How long to hold the unanswered connection before closing it, in milliseconds'),
  })
  .describe('stall-response: the upstream commits, the client gets no answer for holdMs, then a closed connection');

export const stallResponse = defineFault({
  name: 'stall-response',
  description: 'forward, let the upstream finish, hold the client for holdMs (default 30s), then close without answering',
  schema: StallResponseSpecSchema,
  async inject(ctx, spec) {
    const response = await ctx.sendUpstream();
    await ctx.drain(response);
    ctx.emit({ upstreamStatuses: [response.status] });
    await ctx.wait(spec.holdMs, { untilClientGone: true });
    ctx.hangUp();
  },
});
