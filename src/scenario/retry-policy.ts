// A client retry policy as the scenario language writes it (`retry:`), modelled on what SDKs ship:
// AWS standard mode (3 attempts, exponential backoff with jitter, a retry quota), Stripe (Retry-After
// honoured within a cap, 409 retried), undici's RetryHandler. The engine (src/engine/retry/) runs it.
import { z } from 'zod';

/** Answers that say the request itself is wrong: retrying cannot help, so they are always final. */
export const VALIDATION_STATUSES: readonly number[] = [400, 401, 403, 404, 422];

export const RetryBudgetSchema = z
  .strictObject({
    maxRetries: z.number().int().min(0).describe('Retries allowed per window, for each request path'),
    windowMs: z.number().int().positive().max(86_400_000).describe('Window the retries refill over, in milliseconds'),
  })
  .describe('Token-bucket retry budget shared by every request to one path: caps retry amplification during an outage');

export const RetryPolicySchema = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(100).default(3).describe('Attempts in total, the first one included'),
    baseMs: z.number().int().min(0).max(600_000).default(100).describe('Backoff before the first retry; doubles per attempt'),
    maxDelayMs: z.number().int().min(0).max(3_600_000).default(5_000).describe('Cap on any single delay, Retry-After included'),
    jitter: z
      .enum(['full', 'equal', 'decorrelated', 'none'])
      .default('full')
      .describe('full: [0, d); equal: [d/2, d); decorrelated: [base, 3 x previous); none: d (AWS Architecture Blog naming)'),
    budget: RetryBudgetSchema.optional(),
    retryOn: z
      .array(z.number().int().min(100).max(599))
      .default([409, 429, 502, 503, 504])
      .describe('Response statuses worth another attempt with the same key'),
    retryOnNetworkError: z.boolean().default(true).describe('Retry when no response arrived (refused, reset, timeout)'),
    honourRetryAfter: z.boolean().default(true).describe('Wait at least the Retry-After of the response, capped by maxDelayMs'),
  })
  .superRefine((policy, ctx) => {
    if (policy.maxDelayMs < policy.baseMs) {
      ctx.addIssue({ code: 'custom', path: ['maxDelayMs'], message: `must be at least baseMs (${policy.baseMs})` });
    }
    const invalid = policy.retryOn.filter((s) => VALIDATION_STATUSES.includes(s));
    if (invalid.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['retryOn'], message: `${invalid.join(', ')} reject the request itself and are never retried` });
    }
  })
  .describe('How a client retries: attempts, backoff and jitter, what is retried, and a per-path retry budget');

export type RetryPolicy = z.output<typeof RetryPolicySchema>;
export type RetryPolicyInput = z.input<typeof RetryPolicySchema>;
