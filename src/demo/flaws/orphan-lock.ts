// orphan-lock: in-flight claims never expire (lease 0), so a request whose worker died keeps its
// key answering 409 forever.
import { defineFlaw } from './types.js';

export const orphanLock = defineFlaw({
  name: 'orphan-lock',
  description: 'in-flight claims have no lease: an abandoned request locks its key forever',
  bugClass: 'orphaned-lock',
  level: 'violation',
  caughtBy: ['in-flight-recovery'],
  apply: (base) => ({ ...base, leaseMs: () => 0 }),
});
