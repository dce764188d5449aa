// region-local-store: each instance (or region) keeps its keys to itself, even when configured with a
// store every instance shares (serve --store redis, same prefix). Each instance is correct on its own,
// so only checks that send one key to two instances see it (the store wrapper is in app/region-store.ts;
// the layer's decisions are untouched). Its story is the failover one: a retry through the other
// instance after the commit executes again (failover-replay). A concurrent burst split across the
// instances executes twice too, from the same root cause: cross-instance-duplicates' failover probe
// shows the instances share no completed key, so it reports inconclusive, naming failover-replay.
import { defineFlaw } from './types.js';

export const regionLocalStore = defineFlaw({
  name: 'region-local-store',
  description: 'every instance keeps its own key store: a retry through another instance after a failover executes again (so does one key sent to two at once)',
  bugClass: 'topology',
  level: 'violation',
  caughtBy: ['failover-replay'],
  apply: (base) => base,
});
