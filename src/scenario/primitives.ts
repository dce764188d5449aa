// Building blocks of the scenario format shared by the scenario schema and the check option modules.
import { z } from 'zod';
import { DURATION_EXAMPLES, parseDuration } from '../core/duration.js';
import { headerNameProblem, headerValueProblem } from '../core/header-syntax.js';

/** An HTTP header name: a token (RFC 9110), checked where it is written instead of failing mid-run. */
export const headerName = z
  .string()
  .min(1)
  .superRefine((name, ctx) => {
    const problem = headerNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** An HTTP header value: no line breaks, NUL or other controls, nothing outside Latin-1. */
export const headerValue = z.string().superRefine((value, ctx) => {
  const problem = headerValueProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const headerMap = z.record(headerName, headerValue).describe('HTTP headers; values may use ${ENV} interpolation');

/**
 * The longest timeout or wait a scenario may ask for (10 minutes). Node timers overflow past
 * 2^31-1 ms and fire at once, so an unbounded number would turn into "unreachable" immediately.
 */
export const MAX_TIMEOUT_MS = 600_000;
/** The longest duration a scenario may declare (retention, lease): 365 days. */
export const MAX_DURATION_MS = 365 * 86_400_000;
/** The longest wait a check may sleep through (a declared test retention or lease): 24 hours. */
export const MAX_WAIT_MS = 86_400_000;

export const jsonPointer = z
  .string()
  .regex(/^(\/([^~/]|~[01])*)*$/, 'must be a JSON pointer such as /id or /data/0/id (RFC 6901)')
  .describe('JSON pointer (RFC 6901) into a JSON response body');

export const durationMs = z.number().int().positive().max(MAX_TIMEOUT_MS, `must be at most ${MAX_TIMEOUT_MS} ms (10 minutes)`);

/** A duration as milliseconds or a string such as "250ms", "30s", "5m", "24h", "7d" (one parser: src/core/duration.ts), at most `max` ms. */
export function durationUpTo(max: number, label: string) {
  return z
    .union([z.number().int().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, `must be a duration such as ${DURATION_EXAMPLES}`)])
    .transform((v) => (typeof v === 'number' ? v : parseDuration(v)!))
    .pipe(z.number().max(max, `must be at most ${label}`))
    .describe('Duration: milliseconds, or a string such as 250ms, 30s, 5m, 24h, 7d');
}

export const Duration = durationUpTo(MAX_DURATION_MS, '365d');
/** A duration a check waits through (test retention, lease): at most 24 h. */
export const WaitDuration = durationUpTo(MAX_WAIT_MS, '24h');
