// no-fingerprint: the payload is never hashed, so a key reused with another body replays the old
// result as if it were the answer to the new request. Method and path still count, so the flaw
// stays isolated from cross-endpoint reuse.
import { fingerprintEndpoint } from '../../reference/layer/fingerprint.js';
import { defineFlaw } from './types.js';

export const noFingerprint = defineFlaw({
  name: 'no-fingerprint',
  description: 'payload not fingerprinted: a reused key with another body replays the old result',
  bugClass: 'payload-check',
  level: 'violation',
  caughtBy: ['payload-mismatch'],
  apply: (base) => ({ ...base, fingerprint: (req) => fingerprintEndpoint(req.method, req.path) }),
});
