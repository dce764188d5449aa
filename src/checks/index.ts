// The check registry: every check, built-in or not, is looked up by its id here. Registering a check
// also registers its option schema with the scenario format, so `checks:` in a scenario validates
// an extension's options like a built-in's.
import { DuplicateIdError } from '../core/errors.js';
import { Registry } from '../core/registry.js';
import { BUILT_IN_CHECK_IDS, CHECK_OPTIONS } from '../scenario/check-options/index.js';
import type { Check } from './api.js';
import { concurrentDuplicates } from './concurrent-duplicates.js';
import { crossEndpoint } from './cross-endpoint.js';
import { crossInstanceDuplicates } from './cross-instance-duplicates.js';
import { crossTenant } from './cross-tenant.js';
import { downstreamDedupe } from './downstream-dedupe.js';
import { downstreamFailure } from './downstream-failure.js';
import { downstreamPropagation } from './downstream-propagation.js';
import { errorReplay } from './error-replay.js';
import { expiry } from './expiry.js';
import { failoverReplay } from './failover-replay.js';
import { fingerprint } from './fingerprint.js';
import { gatewayDuplicate } from './gateway-duplicate.js';
import { inFlightRecovery } from './in-flight-recovery.js';
import { keyValidation } from './key-validation.js';
import { load } from './load/index.js';
import { lostResponse } from './lost-response.js';
import { missingKey } from './missing-key.js';
import { payloadMismatch } from './payload-mismatch.js';
import { sequentialReplay } from './sequential-replay.js';
import { storeOutage } from './store-outage.js';
import { timeoutRetry } from './timeout-retry.js';

export { defineCheck, type Check, type CheckContext, type CheckEvent, type Finding, type Level, type Verdict } from './api.js';

/** A registered check; its options are whatever its own schema parsed them to. */
export type AnyCheck = Check<unknown>;

const registry = new Registry<AnyCheck>('check', (c) => c.id);

/** Registers a check (and, for an extension, its option schema); a taken id is an error. */
export function registerCheck<O>(check: Check<O>): void {
  const erased = check as unknown as AnyCheck;
  if (registry.has(check.id)) throw new DuplicateIdError('check', check.id);
  if (!BUILT_IN_CHECK_IDS.includes(check.id)) CHECK_OPTIONS.register({ id: check.id, schema: check.options });
  registry.register(erased);
}

const BUILT_IN = [
  concurrentDuplicates,
  sequentialReplay,
  payloadMismatch,
  missingKey,
  crossTenant,
  keyValidation,
  crossEndpoint,
  errorReplay,
  expiry,
  fingerprint,
  timeoutRetry,
  lostResponse,
  gatewayDuplicate,
  inFlightRecovery,
  storeOutage,
  load,
  crossInstanceDuplicates,
  failoverReplay,
  downstreamPropagation,
  downstreamDedupe,
  downstreamFailure,
] as const;
for (const check of BUILT_IN) registerCheck<never>(check as unknown as Check<never>);

export function getCheck(id: string): AnyCheck {
  return registry.get(id);
}

export function listChecks(): AnyCheck[] {
  return registry.values();
}

export function checkIds(): string[] {
  return registry.ids();
}

/** What a scenario without a `checks:` section runs: every registered check not marked declaredOnly. */
export function defaultCheckIds(): string[] {
  return registry
    .values()
    .filter((c) => c.declaredOnly !== true)
    .map((c) => c.id);
}
