// short-ttl: results are kept for one second, far inside any client's retry window, so a late
// retry executes the side effect again.
import { defineFlaw } from './types.js';

export const SHORT_TTL_MS = 1_000;

export const shortTtl = defineFlaw({
  name: 'short-ttl',
  description: 'results retained for 1 s: a retry after that executes again',
  bugClass: 'retention',
  level: 'deviation',
  caughtBy: ['expiry'],
  apply: (base) => ({ ...base, retentionMs: () => SHORT_TTL_MS }),
});
