// Every failure to get an answer from Redis becomes a StoreUnavailableError, so the layer fails
// closed (503): refused or dropped connections, timeouts, exhausted retries, cluster outages, and
// replies such as LOADING, BUSY, OOM or CLUSTERDOWN. The original error stays in `cause`.
import { settleWithin } from '../deadline.js';
import { StoreUnavailableError } from '../types.js';

export function storeUnavailable(operation: string, error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`Redis store: ${operation} failed: ${reason}`, { cause: error });
}

/** Rejects with StoreUnavailableError when `promise` has not settled within `ms` (for clients without their own command timeout). */
export function withDeadline<T>(promise: Promise<T>, ms: number, operation: string, onLate?: () => void): Promise<T> {
  return settleWithin(promise, ms, () => {
    onLate?.();
    return new StoreUnavailableError(`Redis store: ${operation} got no answer within ${ms} ms`);
  });
}
