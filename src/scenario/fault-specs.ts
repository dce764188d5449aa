// Fault specs as the scenario language writes them (endpoint `faults:`, `--fault`): one zod schema
// per built-in fault, joined on `name` into FaultSpecSchema so the JSON Schema lists every fault and
// option. The faults (src/faults/) implement them; parseFaultSpec validates through the fault
// registry instead, so registered extensions work too.
import { z } from 'zod';

export const FaultMatchSchema = z
  .strictObject({
    method: z
      .string()
      .regex(/^[A-Za-z]+$/, 'must be an HTTP method such as POST')
      .optional()
      .describe('HTTP method (case-insensitive); absent matches every method'),
    path: z
      .string()
      .startsWith('/', 'must start with /')
      .optional()
      .describe('Path prefix such as /payments, or a glob with * (one segment) and ** (any depth) such as /payments/*/refunds'),
  })
  .describe('Which requests the fault applies to; absent matches every request');

export type FaultMatch = z.output<typeof FaultMatchSchema>;

/** The keys every fault spec shares; each fault adds its own options next to them. */
export const faultSpecBase = {
  probability: z.number().min(0).max(1).default(1).describe('Chance (0..1) that a matching request gets the fault, drawn from the seeded generator'),
  match: FaultMatchSchema.optional(),
};

const MAX_DELAY_MS = 600_000;
export const LatencySpecSchema = z
  .strictObject({
    name: z.literal('latency'),
    ...faultSpecBase,
    ms: z.number().int().min(0).max(MAX_DELAY_MS).describe('Fixed delay before forwarding, in milliseconds'),
    jitterMs: z.number().int().min(0).max(MAX_DELAY_MS).default(0).describe('Extra uniform delay in [0, jitterMs] milliseconds'),
  })
  .describe('latency: delay the request before forwarding it');

export const DropResponseSpecSchema = z
  .strictObject({ name: z.literal('drop-response-after-upstream'), ...faultSpecBase })
  .describe('drop-response-after-upstream: the upstream commits, the client sees a connection reset');

export const DuplicateUpstreamSpecSchema = z
  .strictObject({
    name: z.literal('duplicate-upstream'),
    ...faultSpecBase,
    delayMs: z.number().int().min(0).max(60_000).default(0).describe('Delay between sending the two copies, in milliseconds (0: both at once)'),
  })
  .describe('duplicate-upstream: the request reaches the upstream twice; the client gets the first answer');

export const GatewayStatusSpecSchema = z
  .strictObject({
    name: z.literal('gateway-status'),
    ...faultSpecBase,
    status: z.literal([502, 503, 504]).default(502).describe('Status the gateway answers instead of the upstream response'),
  })
  .describe('gateway-status: the upstream commits, the client gets a gateway error instead of its response');

export const ErrorAfterUpstreamSpecSchema = z
  .strictObject({
    name: z.literal('error-after-upstream'),
    ...faultSpecBase,
    status: z.number().int().min(500).max(599).default(500).describe('The 5xx status the client gets instead of the upstream response'),
  })
  .describe(
    'error-after-upstream: the upstream commits, the client gets a 5xx (problem+json) instead of its answer, as from a service failing after its commit',
  );

export const ResetBeforeUpstreamSpecSchema = z
  .strictObject({ name: z.literal('reset-before-upstream'), ...faultSpecBase })
  .describe('reset-before-upstream: the client sees a reset and the upstream never sees the request');

export const StallResponseSpecSchema = z
  .strictObject({
    name: z.literal('stall-response'),
    ...faultSpecBase,
    holdMs: z.number().int().min(0).max(600_000).default(30_000).describe('How long to hold the unanswered connection before closing it, in milliseconds'),
  })
  .describe('stall-response: the upstream commits, the client gets no answer for holdMs, then a closed connection');

export const TruncateBodySpecSchema = z
  .strictObject({ name: z.literal('truncate-body'), ...faultSpecBase })
  .describe('truncate-body: the client gets the head and half the body, then the connection closes');

export const FaultSpecSchema = z
  .discriminatedUnion('name', [
    LatencySpecSchema,
    DropResponseSpecSchema,
    StallResponseSpecSchema,
    ResetBeforeUpstreamSpecSchema,
    DuplicateUpstreamSpecSchema,
    TruncateBodySpecSchema,
    GatewayStatusSpecSchema,
    ErrorAfterUpstreamSpecSchema,
  ])
  .describe('A fault the proxy injects into matching requests, chosen by name');

/** A validated built-in spec, defaults filled in. */
export type FaultSpec = z.output<typeof FaultSpecSchema>;
/** What people write: defaults may be left out. */
export type FaultSpecInput = z.input<typeof FaultSpecSchema>;
