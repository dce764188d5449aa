// runWithRetry: attempts an operation under a policy and returns every attempt, so a check can see
// what a well-behaved client would have sent. Sleep, clock and randomness are injected: tests run
// without waiting, and a seeded run retries on the same schedule every time.
import { setTimeout as delay } from 'node:timers/promises';
import { RetryBudget } from './budget.js';
import { classify, type RetryDecision } from './classify.js';
import { delayWithRetryAfter, nextDelay, type RandomSource } from './delay.js';
import { outcomeOfError, type AttemptOutcome } from './outcome.js';
import type { RetryPolicy } from './policy.js';
import { parseRetryAfter } from './retry-after.js';

export interface AttemptContext {
  /** 1-based. */
  attempt: number;
  signal?: AbortSignal;
}

export interface AttemptResult<T> {
  outcome: AttemptOutcome;
  /** Whatever the caller wants back with the attempt (e.g. its Exchange). */
  value?: T;
}

/** One attempt; a throw is taken as a network error and classified with outcomeOfError. */
export type AttemptFn<T> = (ctx: AttemptContext) => Promise<AttemptResult<T>>;

export interface RetryRunOptions {
  rng: RandomSource;
  /** Resolves after `ms`; may resolve or reject early when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Epoch milliseconds (Retry-After dates are compared with it). */
  now: () => number;
  signal?: AbortSignal;
  /** Shared across runs to cap retries per path; without it a policy budget applies to this run only. */
  budget?: RetryBudget;
  /** The budget bucket, e.g. "POST /payments". Default "*". */
  budgetKey?: string;
}

export interface AttemptRecord<T> {
  attempt: number;
  /** From options.now(). */
  startedAt: number;
  durationMs: number;
  outcome: AttemptOutcome;
  /** What the outcome deserves under the policy; `stoppedBy` says why a retryable one was the last. */
  classification: RetryDecision;
  /** The wait before the next attempt; absent when no retry followed the backoff decision. */
  delayMs?: number;
  value?: T;
}

export type StopReason = 'ok' | 'final-outcome' | 'max-attempts' | 'budget-exhausted' | 'aborted';

export interface RetryRun<T> {
  attempts: AttemptRecord<T>[];
  /** The last attempt: the result the caller ends up with (absent only when aborted before the first). */
  final?: AttemptRecord<T>;
  stoppedBy: StopReason;
}

/** A real sleep for production use: resolves after `ms`, or early (without throwing) on abort. */
export async function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await delay(ms, undefined, signal ? { signal } : {}).catch(() => {});
}

export async function runWithRetry<T>(policy: RetryPolicy, attemptFn: AttemptFn<T>, options: RetryRunOptions): Promise<RetryRun<T>> {
  const { rng, sleep, now, signal } = options;
  const budget = options.budget ?? (policy.budget ? new RetryBudget(policy.budget) : undefined);
  const budgetKey = options.budgetKey ?? '*';
  const attempts: AttemptRecord<T>[] = [];
  const stop = (stoppedBy: StopReason): RetryRun<T> => {
    const final = attempts.at(-1);
    return final ? { attempts, final, stoppedBy } : { attempts, stoppedBy };
  };

  let previousDelay = 0;
  // Bounded: the schema caps maxAttempts at 100 and every path below either returns or sleeps once.
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    if (signal?.aborted) return stop('aborted');
    const startedAt = now();
    let result: AttemptResult<T>;
    try {
      result = await attemptFn(signal ? { attempt, signal } : { attempt });
    } catch (err) {
      result = { outcome: outcomeOfError(err) };
    }
    const record: AttemptRecord<T> = {
      attempt,
      startedAt,
      durationMs: now() - startedAt,
      outcome: result.outcome,
      classification: classify(result.outcome, policy),
    };
    if (result.value !== undefined) record.value = result.value;
    attempts.push(record);

    if (signal?.aborted) return stop('aborted');
    if (record.classification === 'final') return stop(record.outcome.kind === 'ok' ? 'ok' : 'final-outcome');
    if (attempt === policy.maxAttempts) return stop('max-attempts');
    if (budget && !budget.tryAcquire(budgetKey, now())) return stop('budget-exhausted');

    const backoff = nextDelay(policy, attempt, previousDelay, rng);
    const retryAfterMs = parseRetryAfter(record.outcome.retryAfter, now());
    record.delayMs = delayWithRetryAfter(policy, backoff, retryAfterMs);
    previousDelay = record.delayMs;
    try {
      await sleep(record.delayMs, signal);
    } catch {
      // An aborted sleep: the check below ends the run.
    }
  }
  // Not reached: the last attempt returns above. Kept for the type checker.
  return stop('max-attempts');
}
