// downstream-fresh-key: the payment route calls service B with a fresh UUID per attempt, the same as
// no key: a re-execution (after a crash mid-flight, or a released 5xx) charges B again. The layer
// itself is untouched: the app reads the flaw (see app/downstream.ts).
import { defineFlaw } from './types.js';

export const downstreamFreshKey = defineFlaw({
  name: 'downstream-fresh-key',
  description: 'with --downstream: the payment route calls service B with a fresh key per attempt',
  bugClass: 'downstream-propagation',
  level: 'violation',
  caughtBy: ['downstream-dedupe'],
  apply: (base) => base,
});
