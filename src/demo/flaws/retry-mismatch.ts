// retry-mismatch: the stored request hash is lost (or computed from something that changes between
// attempts), so an identical retry is taken for a changed payload and answered 422.
import { problems } from '../../reference/layer/problem.js';
import { defineFlaw } from './types.js';

export const retryMismatch = defineFlaw({
  name: 'retry-mismatch',
  description: 'an identical retry after completion is answered 422 as if its payload had changed',
  bugClass: 'payload-check',
  level: 'violation',
  caughtBy: ['sequential-replay'],
  apply: (base) => ({ ...base, renderReplay: () => problems.mismatch() }),
});
