// How every store reads the two durations of the contract, so memory and Redis agree on the edges.
// Redis expiries take whole milliseconds, so fractions round up (a lease never gets shorter).

/** Lease of an in-flight claim in whole ms; 0 means the claim never expires (`leaseMs` 0, negative, NaN or Infinity). */
export function leaseMillis(leaseMs: number): number {
  return leaseMs > 0 && Number.isFinite(leaseMs) ? Math.ceil(leaseMs) : 0;
}

/** Sentinel returned by {@link retentionMillis} for "keep the response forever". */
export const KEEP_FOREVER = -1;

/**
 * Retention of a completed response in whole ms: {@link KEEP_FOREVER} for Infinity, 0 for "do not keep"
 * (0, negative or NaN: complete() succeeds and the key is free again at once), otherwise the ms rounded up.
 */
export function retentionMillis(retentionMs: number): number {
  if (retentionMs === Number.POSITIVE_INFINITY) return KEEP_FOREVER;
  return retentionMs > 0 ? Math.ceil(retentionMs) : 0;
}
