// downstream-no-key: the payment route calls service B without any idempotency key, so B cannot
// dedupe a retry. The layer itself is untouched: the app reads the flaw (see app/downstream.ts).
import { defineFlaw } from './types.js';

export const downstreamNoKey = defineFlaw({
  name: 'downstream-no-key',
  description: 'with --downstream: the payment route calls service B without an idempotency key',
  bugClass: 'downstream-propagation',
  level: 'violation',
  caughtBy: ['downstream-propagation'],
  apply: (base) => base,
});
