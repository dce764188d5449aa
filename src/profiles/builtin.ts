import type { Profile } from './profile.js';

const DRAFT = 'draft-ietf-httpapi-idempotency-key-header-07';

export const IETF_07: Profile = {
  id: 'ietf-07',
  title: 'IETF Idempotency-Key draft 07',
  source: DRAFT,
  keyFormat: 'sf-string',
  keyRequired: true,
  expect: { inFlight: [409], mismatch: [422], missingKey: [400] },
  replayMarker: { header: 'Idempotent-Replayed', required: false },
  errors: { '4xx': 'any', '5xx': 'any' },
  cite: {
    execution: `${DRAFT} §2.6 (idempotency enforcement)`,
    replay: `${DRAFT} §2.6 (return the stored response)`,
    inFlight: `${DRAFT} §2.7 (concurrent request: 409 Conflict)`,
    mismatch: `${DRAFT} §2.7 (key reused with a different payload: 422)`,
    missingKey: `${DRAFT} §2.7 (key missing: 400)`,
    invalidKey: `${DRAFT} §2.1 (the key is an sf-string)`,
    tenantScope: `${DRAFT} §5 (keys scoped per client: composite key)`,
    endpointScope: `${DRAFT} §2.2 (a key must not be reused with another request)`,
    errors: `${DRAFT} §2.6 (a retry gets the previous result, success or error)`,
    retention: `${DRAFT} §2.3 (keys expire per the published policy)`,
    fingerprint: `${DRAFT} §2.4 (fingerprint of the request payload)`,
  },
};

export const STRIPE_V1: Profile = {
  id: 'stripe-v1',
  title: 'Stripe API v1 idempotent requests',
  source: 'Stripe API reference: Idempotent requests',
  keyFormat: 'raw',
  keyRequired: false,
  expect: { inFlight: [409], mismatch: [400], missingKey: [400] },
  replayMarker: { header: 'Idempotent-Replayed', required: true },
  retentionMs: 24 * 3_600_000,
  errors: { '4xx': 'any', '5xx': 'replay' },
  cite: {
    execution: 'stripe-v1: a key executes at most once',
    replay: 'stripe-v1: replays carry the original status and body, with Idempotent-Replayed: true',
    inFlight: 'stripe-v1: concurrent request with the same key answers 409',
    mismatch: 'stripe-v1: reuse with different parameters answers 400 idempotency_error',
    missingKey: 'stripe-v1: the key is optional',
    invalidKey: 'stripe-v1: keys up to 255 characters',
    tenantScope: 'stripe-v1: keys are scoped per account',
    endpointScope: 'stripe-v1: reuse on another endpoint answers idempotency_error',
    errors: 'stripe-v1: results are saved once execution began, 500 errors included',
    retention: 'stripe-v1: keys are pruned after 24 hours',
    fingerprint: 'stripe-v1: parameters are compared with the original request',
  },
};

export const BUILTIN_PROFILES: readonly Profile[] = [IETF_07, STRIPE_V1];
