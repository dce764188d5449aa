// Classify an exchange for latency-by-outcome reporting.
import { isMarkedReplay } from '../core/replay-marker.js';
import type { Profile } from '../profiles/index.js';
import type { Outcome } from '../core/outcome.js';
import type { Exchange } from '../core/exchange.js';

export function outcomeOf(e: Exchange, profile: Profile): Outcome {
  if (!e.response) return e.error?.startsWith('timeout') ? 'timeout' : 'error';
  const { status } = e.response;
  if (status >= 200 && status < 300) return isMarkedReplay(e) ? 'replay' : 'first';
  if (status >= 500) return 'error';
  if (profile.expect.inFlight.includes(status)) return 'conflict';
  if (profile.expect.mismatch.includes(status)) return 'mismatch';
  return 'rejected';
}
