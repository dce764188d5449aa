// latency: hold the request for `ms` plus a uniform draw in [0, jitterMs], then forward it
// transparently. Slow answers push clients past their timeouts, which is when they retry.
import { defineFault } from './types.js';
import { LatencySpecSchema } from '../scenario/fault-specs.js';

export { LatencySpecSchema };

export const latency = defineFault({
  name: 'latency',
  description: 'delay the request by ms plus uniform jitterMs before forwarding it',
  schema: LatencySpecSchema,
  async inject(ctx, spec) {
    const delayMs = spec.ms + Math.round(ctx.rng.next() * spec.jitterMs);
    ctx.emit({ delayMs });
    // The proxy is closing: its close() tears the connection down, nothing left to do.
    if (!(await ctx.wait(delayMs))) return;
    await ctx.forward();
  },
});
