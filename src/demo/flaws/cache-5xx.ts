// cache-5xx: a server error is stored and replayed for the whole retention window, so a transient
// failure becomes permanent for that key.
import { defineFlaw } from './types.js';

export const cache5xx = defineFlaw({
  name: 'cache-5xx',
  description: '5xx results are stored and replayed for the whole retention window',
  bugClass: 'error-caching',
  level: 'observation',
  caughtBy: ['error-replay'],
  apply: (base) => ({ ...base, keepsResult: () => true }),
});
