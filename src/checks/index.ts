// The check registry: every check, built-in or not, is looked up by its id here.
import { concurrentDuplicates } from './concurrent-duplicates.js';
import { crossEndpoint } from './cross-endpoint.js';
import { crossTenant } from './cross-tenant.js';
import { errorReplay } from './error-replay.js';
import { expiry } from './expiry.js';
import { fingerprint } from './fingerprint.js';
import { gatewayDuplicate } from './gateway-duplicate.js';
import type { CheckId } from './ids.js';
import { inFlightRecovery } from './in-flight-recovery.js';
import { keyValidation } from './key-validation.js';
import { load } from './load.js';
import { lostResponse } from './lost-response.js';
import { missingKey } from './missing-key.js';
import { payloadMismatch } from './payload-mismatch.js';
import { sequentialReplay } from './sequential-replay.js';
import { storeOutage } from './store-outage.js';
import { timeoutRetry } from './timeout-retry.js';
import type { Check } from './types.js';

export type { Check, CheckContext, Finding, Level, Verdict } from './types.js';
export { CHAOS_AND_LOAD_IDS, CHECK_IDS, DEFAULT_CHECK_IDS, isCheckId, type CheckId } from './ids.js';

const registry = new Map<CheckId, Check<any>>();

export function registerCheck(check: Check<any>): void {
  registry.set(check.id, check);
}

for (const check of [
  concurrentDuplicates, sequentialReplay, payloadMismatch, missingKey, crossTenant,
  keyValidation, crossEndpoint, errorReplay, expiry, fingerprint,
  timeoutRetry, lostResponse, gatewayDuplicate, inFlightRecovery, storeOutage,
  load,
]) registerCheck(check);

export function getCheck(id: CheckId): Check<any> {
  const check = registry.get(id);
  if (!check) throw new Error(`check ${id} is not registered`);
  return check;
}

export function listChecks(): Check<any>[] {
  return [...registry.values()];
}
