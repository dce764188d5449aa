// The policy schema: SDK-like defaults, and the mistakes it refuses.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, RetryPolicySchema } from '../../../src/engine/retry/index.js';

describe('RetryPolicySchema', () => {
  it('defaults like the SDKs: 3 attempts, 100 ms base, 5 s cap, full jitter', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      maxAttempts: 3,
      baseMs: 100,
      maxDelayMs: 5_000,
      jitter: 'full',
      retryOn: [409, 429, 502, 503, 504],
      retryOnNetworkError: true,
      honourRetryAfter: true,
    });
  });

  it('refuses retrying validation answers, a cap below the base, and unknown keys', () => {
    const issues = (input: unknown) => RetryPolicySchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ retryOn: [422, 503] })).toEqual(['retryOn: 422 reject the request itself and are never retried']);
    expect(issues({ baseMs: 500, maxDelayMs: 100 })).toEqual(['maxDelayMs: must be at least baseMs (500)']);
    expect(issues({ maxAtempts: 5 })?.[0]).toMatch(/maxAtempts/);
    expect(issues({ maxAttempts: 0 })?.[0]).toMatch(/^maxAttempts: /);
    expect(issues({ budget: { maxRetries: 5 } })?.[0]).toMatch(/^budget\.windowMs: /);
  });
});
