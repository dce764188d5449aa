// replay-conflict: a retry of a completed request is answered 409 ("already processed") instead of
// the stored response, as some packages do by design. Nothing runs twice, but the client that lost
// the first answer never gets it.
import { problems } from '../../reference/layer/problem.js';
import { defineFlaw } from './types.js';

export const replayConflict = defineFlaw({
  name: 'replay-conflict',
  description: 'a retry after completion is answered 409 instead of replaying the stored response',
  bugClass: 'replay-fidelity',
  level: 'violation',
  caughtBy: ['sequential-replay'],
  apply: (base) => ({ ...base, renderReplay: () => problems.inFlight() }),
});
