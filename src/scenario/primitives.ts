// Building blocks of the scenario format shared by the scenario schema and the check option modules.
import { z } from 'zod';

export const headerMap = z.record(z.string().min(1), z.string()).describe('HTTP headers; values may use ${ENV} interpolation');

export const jsonPointer = z
  .string()
  .regex(/^(\/([^~/]|~[01])*)*$/, 'must be a JSON pointer such as /id or /data/0/id (RFC 6901)')
  .describe('JSON pointer (RFC 6901) into a JSON response body');

export const durationMs = z.number().int().positive();

const DURATION_UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration as milliseconds or a string such as "250ms", "30s", "5m", "24h", "7d". */
export const Duration = z
  .union([
    z.number().int().nonnegative(),
    z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'must be a duration such as 250ms, 30s, 5m, 24h or 7d'),
  ])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const [, n, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(v)!;
    return Math.round(Number(n) * DURATION_UNITS[unit as keyof typeof DURATION_UNITS]);
  })
  .describe('Duration: milliseconds, or a string such as 250ms, 30s, 5m, 24h, 7d');
