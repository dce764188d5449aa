// Running a client retry policy (the schema is the scenario language's: src/scenario/retry-policy.ts):
// defaults filled in, validated on construction.

import { RetryPolicySchema, type RetryPolicy, type RetryPolicyInput } from '../../scenario/retry-policy.js';

export { RetryBudgetSchema, RetryPolicySchema, VALIDATION_STATUSES, type RetryPolicy, type RetryPolicyInput } from '../../scenario/retry-policy.js';
export type JitterMode = RetryPolicy['jitter'];

export const DEFAULT_RETRY_POLICY: RetryPolicy = RetryPolicySchema.parse({});

/** Validates and fills defaults; throws zod's error on a bad policy. */
export function retryPolicy(input: RetryPolicyInput = {}): RetryPolicy {
  return RetryPolicySchema.parse(input);
}
