// stall-response: like a load balancer that never relays the answer. The upstream finishes, the
// client waits `holdMs` for nothing and then sees the connection closed; usually its own timeout
// fires first. Held connections never keep the proxy open: close() destroys them.
import { defineFault } from './types.js';
import { StallResponseSpecSchema } from '../scenario/fault-specs.js';

export { StallResponseSpecSchema };

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
