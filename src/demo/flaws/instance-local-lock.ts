// instance-local-lock: the instances share completed responses (copied to the shared store before the
// original is answered: synchronous replication), but each takes the in-flight claim in a space of its
// own. A retry through another instance after the commit replays (failover-replay passes); concurrent
// copies of one key split across instances each claim it and execute, which only
// cross-instance-duplicates sees (its failover probe replays, so the second execution is its own
// finding). The store wrapper is app/region-store.ts with a replication lag of 0; the layer's decisions
// are untouched.
import { defineFlaw } from './types.js';

export const instanceLocalLock = defineFlaw({
  name: 'instance-local-lock',
  description:
    'instances share completed keys (synchronous replication) but take the in-flight claim locally: concurrent copies of one key on two instances execute on each',
  bugClass: 'topology',
  level: 'violation',
  caughtBy: ['cross-instance-duplicates'],
  apply: (base) => base,
});
