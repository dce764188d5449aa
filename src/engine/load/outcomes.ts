// Outcome classification of one answer, on the hot path: a status -> outcome table built once per
// run (one array read per answer), and the error -> timeout/error split.
import { errorCode } from '../net-error.js';
import { O_CONFLICT, O_ERROR, O_FIRST, O_MISMATCH, O_REJECTED, O_TIMEOUT } from './stats.js';
import type { StatusClasses } from './types.js';

export const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** status (0..999) -> O_* for a first answer; 2xx becomes O_REPLAY later when marked or a duplicate. */
export function statusOutcomeTable(statuses: StatusClasses): Uint8Array {
  const table = new Uint8Array(1000);
  for (let s = 0; s < 1000; s++) {
    table[s] =
      s >= 200 && s < 300 ? O_FIRST : s >= 500 ? O_ERROR : statuses.inFlight.includes(s) ? O_CONFLICT : statuses.mismatch.includes(s) ? O_MISMATCH : O_REJECTED;
  }
  return table;
}

export const isTimeout = (err: Error): boolean => TIMEOUT_CODES.has(errorCode(err) ?? '');

export function errorOutcome(err: Error): number {
  return isTimeout(err) ? O_TIMEOUT : O_ERROR;
}
