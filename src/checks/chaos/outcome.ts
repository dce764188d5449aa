// One exchange as a retry outcome: the client's view of whether the attempt executed.
import type { Exchange } from '../../core/exchange.js';
import { jsonBody } from '../../core/exchange.js';
import { resolvePointer } from '../../core/json-pointer.js';
import { outcomeOfResponse, type AttemptOutcome } from '../../engine/retry/index.js';

/** Errors raised before any byte of the request left: the attempt provably did not execute. */
const NOT_SENT =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT|connection refused|DNS lookup failed|unreachable|connect timed out|^not sent|dry run/i;

/**
 * ok for 1xx-3xx, fail for 4xx/5xx answers and for requests that never left, unknown for every
 * other missing answer (a timeout, a reset, a truncated body): it may or may not have executed.
 */
export function outcomeOfExchange(e: Exchange): AttemptOutcome {
  // (A body cut off mid-way never becomes a response: the client reports it as an error.)
  if (e.response) return outcomeOfResponse(e.response.status, e.response.headers);
  const error = e.error ?? 'no response';
  return { kind: NOT_SENT.test(error) ? 'fail' : 'unknown', error };
}

/** A request the gate refused (dry run, request cap, bail-out): nothing was sent, the check stops. */
export const notSent = (e: Exchange): boolean => !e.response && /^(not sent|dry run)/.test(e.error ?? '');

export const isTimeout = (e: Exchange): boolean => !e.response && /^timeout/.test(e.error ?? '');

/** The resource id of a successful answer, read with the endpoint's `identity` pointer. */
export function identityOf(e: Exchange, pointer: string | undefined): string | undefined {
  if (!pointer || !e.response || e.response.status < 200 || e.response.status >= 300) return undefined;
  const id = resolvePointer(jsonBody(e), pointer);
  if (id === undefined || id === null) return undefined;
  return typeof id === 'string' ? id : JSON.stringify(id);
}
