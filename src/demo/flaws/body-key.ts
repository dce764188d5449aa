// body-key: the request body is hashed into the store key (key = idempotency key + request hash), as
// packages do that build the cache key from "everything about the request". A retry with the same key
// and a changed payload finds nothing under its own key, so it runs as a new request instead of 422.
// Owner: payload-mismatch, the only check that sends a changed payload under a used key; identical
// retries still replay, so nothing else has a reason to fail.
import type { ClaimStrategy } from '../../reference/layer/claim.js';
import { defineFlaw } from './types.js';

export function bodyKeyedClaim(base: ClaimStrategy): ClaimStrategy {
  return (ctx) => base({ ...ctx, key: `${ctx.key}#${ctx.fingerprint}` });
}

export const bodyKey = defineFlaw({
  name: 'body-key',
  description: 'the request body is hashed into the key: a changed payload under a used key runs again instead of 422',
  bugClass: 'payload-check',
  level: 'violation',
  caughtBy: ['payload-mismatch'],
  apply: (base) => ({ ...base, claim: bodyKeyedClaim(base.claim) }),
});
