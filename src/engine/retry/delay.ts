// Backoff with jitter, as pure functions of the policy, the attempt and a random source. Naming and
// formulas follow the AWS Architecture Blog "Exponential Backoff And Jitter" (used by the AWS SDKs).
import type { RetryPolicy } from './policy.js';

/** Anything with next() in [0, 1): the engine's seeded Rng, or a fixed sequence in tests. */
export interface RandomSource {
  next(): number;
}

type DelayPolicy = Pick<RetryPolicy, 'baseMs' | 'maxDelayMs' | 'jitter'>;

/** The exponential ceiling after attempt `attempt` (1-based) failed: baseMs x 2^(attempt-1), capped. */
export function backoffCeiling(policy: Pick<RetryPolicy, 'baseMs' | 'maxDelayMs'>, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * Milliseconds to wait after attempt `attempt` (1-based) failed. `previousDelay` is the delay slept
 * before that attempt (0 before the first retry); only decorrelated jitter uses it.
 */
export function nextDelay(policy: DelayPolicy, attempt: number, previousDelay: number, rng: RandomSource): number {
  const ceiling = backoffCeiling(policy, attempt);
  switch (policy.jitter) {
    case 'none':
      return ceiling;
    case 'full':
      return Math.floor(rng.next() * ceiling);
    case 'equal':
      return Math.floor(ceiling / 2 + rng.next() * (ceiling / 2));
    case 'decorrelated': {
      // Grows from the last delay, not the attempt count: min(cap, random_between(base, prev * 3)).
      const previous = previousDelay > 0 ? previousDelay : policy.baseMs;
      const upper = Math.max(policy.baseMs, previous * 3);
      return Math.min(policy.maxDelayMs, Math.floor(policy.baseMs + rng.next() * (upper - policy.baseMs)));
    }
  }
}

/**
 * The delay actually slept: the backoff, raised to the server's Retry-After when honoured (a floor,
 * as Stripe's SDKs do) and never above maxDelayMs (as undici caps it with maxTimeout).
 */
export function delayWithRetryAfter(policy: Pick<RetryPolicy, 'maxDelayMs' | 'honourRetryAfter'>, backoff: number, retryAfterMs: number | undefined): number {
  if (!policy.honourRetryAfter || retryAfterMs === undefined) return backoff;
  return Math.min(policy.maxDelayMs, Math.max(backoff, retryAfterMs));
}
