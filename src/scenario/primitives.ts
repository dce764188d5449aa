// Building blocks of the scenario format shared by the scenario schema and the check option modules.
import { z } from 'zod';
import { DURATION_EXAMPLES, parseDuration } from '../core/duration.js';

export const headerMap = z.record(z.string().min(1), z.string()).describe('HTTP headers; values may use ${ENV} interpolation');

export const jsonPointer = z
  .string()
  .regex(/^(\/([^~/]|~[01])*)*$/, 'must be a JSON pointer such as /id or /data/0/id (RFC 6901)')
  .describe('JSON pointer (RFC 6901) into a JSON response body');

export const durationMs = z.number().int().positive();

/** A duration as milliseconds or a string such as "250ms", "30s", "5m", "24h", "7d" (one parser: src/core/duration.ts). */
export const Duration = z
  .union([
    z.number().int().nonnegative(),
    z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, `must be a duration such as ${DURATION_EXAMPLES}`),
  ])
  .transform((v) => (typeof v === 'number' ? v : parseDuration(v)!))
  .describe('Duration: milliseconds, or a string such as 250ms, 30s, 5m, 24h, 7d');
