// Client retry policies: validation, pure backoff maths, classification, budget and the runner.
export { RetryBudget, type RetryBudgetConfig } from './budget.js';
export { classify, type RetryDecision } from './classify.js';
export { backoffCeiling, delayWithRetryAfter, nextDelay, type RandomSource } from './delay.js';
export { outcomeOfError, outcomeOfResponse, type AttemptOutcome, type OutcomeKind } from './outcome.js';
export {
  DEFAULT_RETRY_POLICY,
  RetryBudgetSchema,
  RetryPolicySchema,
  VALIDATION_STATUSES,
  retryPolicy,
  type JitterMode,
  type RetryPolicy,
  type RetryPolicyInput,
} from './policy.js';
export { parseRetryAfter } from './retry-after.js';
export {
  realSleep,
  runWithRetry,
  type AttemptContext,
  type AttemptFn,
  type AttemptRecord,
  type AttemptResult,
  type RetryRun,
  type RetryRunOptions,
  type StopReason,
} from './run.js';
