// Retry or stop, for one attempt's outcome under a policy. Pure, so the table is testable.
import type { AttemptOutcome } from './outcome.js';
import { DEFAULT_RETRY_POLICY, VALIDATION_STATUSES, type RetryPolicy } from './policy.js';

export type RetryDecision = 'retry' | 'final';

export function classify(outcome: AttemptOutcome, policy: Pick<RetryPolicy, 'retryOn' | 'retryOnNetworkError'> = DEFAULT_RETRY_POLICY): RetryDecision {
  if (outcome.kind === 'ok') return 'final';
  if (outcome.status === undefined) return policy.retryOnNetworkError ? 'retry' : 'final';
  // Validation answers are final even if a hand-built policy lists them.
  if (VALIDATION_STATUSES.includes(outcome.status)) return 'final';
  return policy.retryOn.includes(outcome.status) ? 'retry' : 'final';
}
