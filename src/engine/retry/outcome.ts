// What one attempt ended in, from the client's side. The distinction that matters for
// idempotency is `unknown`: a timeout or a reset after the request left means it may or may not
// have executed, which is exactly when a retry must carry the same key.
import { describeNetError, errorCode, isUnreachable } from '../net-error.js';

export type OutcomeKind = 'ok' | 'fail' | 'unknown';

export interface AttemptOutcome {
  /** ok: a success answer; fail: an error answer, or the request provably never left; unknown: no answer after sending. */
  kind: OutcomeKind;
  /** HTTP status, when an answer arrived. */
  status?: number;
  /** Network error code (or description) when no answer arrived. */
  error?: string;
  /** The answer's Retry-After header, verbatim. */
  retryAfter?: string;
}

/** 1xx-3xx are ok (nothing to retry), 4xx and 5xx are fail. */
export function outcomeOfResponse(status: number, headers: Record<string, string | string[] | undefined> = {}): AttemptOutcome {
  const outcome: AttemptOutcome = { kind: status < 400 ? 'ok' : 'fail', status };
  const retryAfter = headers['retry-after'];
  const value = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  if (value !== undefined) outcome.retryAfter = value;
  return outcome;
}

/**
 * A thrown network error. Refused connections, DNS and TLS failures happen before any byte of the
 * request is sent (fail); everything else (timeouts, resets, closed sockets, aborts) is unknown.
 */
export function outcomeOfError(err: unknown): AttemptOutcome {
  const error = errorCode(err) ?? describeNetError(err);
  return { kind: isUnreachable(err) ? 'fail' : 'unknown', error };
}
