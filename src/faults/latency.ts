// latency: hold the request for `ms` plus a uniform draw in [0, jitterMs], then forward it
// transparently. Slow answers push clients past their timeouts, which is when they retry.
import { z } from 'zod';
import { defineFault, faultSpecBase } from './types.js';

const MAX_DELAY_MS = 600_000;

export const LatencySpecSchema = z
  .strictObject({
    name: z.literal('latency'),
    ...faultSpecBase,
    ms: z.number().int().min(0).max(MAX_DELAY_MS).describe('Fixed delay before forwarding, in milliseconds'),
    jitterMs: z.number().int().min(0).max(MAX_DELAY_MS).default(0).describe('Extra uniform delay in [0, jitterMs] milliseconds'),
  })
  .describe('latency: delay the request before forwarding it');

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
