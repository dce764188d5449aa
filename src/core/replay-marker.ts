// Replay markers seen in the wild (GUIDE section 1): a response header saying "this is a stored
// answer, not a fresh execution".
import type { Exchange } from './exchange.js';

export const REPLAY_MARKERS: readonly string[] = ['idempotent-replayed', 'idempotency-replayed', 'x-idempotent-replayed'];

/** The replay marker's value in any common spelling, lower-cased, or undefined. */
export function replayMarker(e: Exchange): string | undefined {
  for (const name of REPLAY_MARKERS) {
    const v = e.response?.headers[name];
    if (v !== undefined) return v.trim().toLowerCase();
  }
  return undefined;
}

/** `true` or the structured-field boolean `?1`. */
export function isMarkedReplay(e: Exchange): boolean {
  const v = replayMarker(e);
  return v === 'true' || v === '?1';
}
