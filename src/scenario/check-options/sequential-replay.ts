// Options of the `sequential-replay` check: the light module the scenario loader validates with, so loading a
// scenario never imports the check itself.
import { z } from 'zod';

/** GUIDE section 1 row 12. */
export const MUST_REPLAY = ['content-type', 'location', 'content-location', 'etag', 'last-modified', 'link'];
export const MUST_NOT_REPLAY = ['set-cookie', 'x-request-id', 'request-id', 'x-ratelimit-remaining', 'ratelimit-remaining'];

export const SequentialReplayOptions = z.strictObject({
  ignore: z.array(z.string().startsWith('/')).default([]).describe('JSON pointers ignored when comparing bodies'),
  mustReplay: z.array(z.string()).default(MUST_REPLAY),
  mustNotReplay: z.array(z.string()).default(MUST_NOT_REPLAY),
});
export type SequentialReplayOptions = z.output<typeof SequentialReplayOptions>;
