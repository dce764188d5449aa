// The options every check takes, by check id: what the scenario loader validates `checks:` with and
// what the committed JSON Schema lists. Built-in checks are registered here from their light option
// modules; an extension check registers its own schema through `registerCheck` (src/checks/registry.ts).
import type { z } from 'zod';
import { Registry } from '../../core/registry.js';
import { ConcurrentDuplicatesOptions } from './concurrent-duplicates.js';
import { CrossEndpointOptions } from './cross-endpoint.js';
import { CrossInstanceDuplicatesOptions } from './cross-instance-duplicates.js';
import { DownstreamDedupeOptions } from './downstream-dedupe.js';
import { DownstreamFailureOptions } from './downstream-failure.js';
import { DownstreamPropagationOptions } from './downstream-propagation.js';
import { CrossTenantOptions } from './cross-tenant.js';
import { ErrorReplayOptions } from './error-replay.js';
import { ExpiryOptions } from './expiry.js';
import { FailoverReplayOptions } from './failover-replay.js';
import { FingerprintOptions } from './fingerprint.js';
import { GatewayDuplicateOptions } from './gateway-duplicate.js';
import { InFlightRecoveryOptions } from './in-flight-recovery.js';
import { KeyValidationOptions } from './key-validation.js';
import { LoadOptions } from './load.js';
import { LostResponseOptions } from './lost-response.js';
import { MissingKeyOptions } from './missing-key.js';
import { PayloadMismatchOptions } from './payload-mismatch.js';
import { SequentialReplayOptions } from './sequential-replay.js';
import { StoreOutageOptions } from './store-outage.js';
import { TimeoutRetryOptions } from './timeout-retry.js';

export interface CheckOptionsEntry {
  id: string;
  schema: z.ZodType;
}

export const CHECK_OPTIONS = new Registry<CheckOptionsEntry>('check', (e) => e.id);

/** Built-in checks in catalogue order (GUIDE section 2): the order `list checks` and reports use. */
const BUILT_IN: Array<[string, z.ZodType]> = [
  ['concurrent-duplicates', ConcurrentDuplicatesOptions],
  ['sequential-replay', SequentialReplayOptions],
  ['payload-mismatch', PayloadMismatchOptions],
  ['missing-key', MissingKeyOptions],
  ['cross-tenant', CrossTenantOptions],
  ['key-validation', KeyValidationOptions],
  ['cross-endpoint', CrossEndpointOptions],
  ['error-replay', ErrorReplayOptions],
  ['expiry', ExpiryOptions],
  ['fingerprint', FingerprintOptions],
  ['timeout-retry', TimeoutRetryOptions],
  ['lost-response', LostResponseOptions],
  ['gateway-duplicate', GatewayDuplicateOptions],
  ['in-flight-recovery', InFlightRecoveryOptions],
  ['store-outage', StoreOutageOptions],
  ['load', LoadOptions],
  // Several instances or regions (scenario `targets:`): skipped unless two or more are declared.
  ['cross-instance-duplicates', CrossInstanceDuplicatesOptions],
  ['failover-replay', FailoverReplayOptions],
  ['downstream-propagation', DownstreamPropagationOptions],
  ['downstream-dedupe', DownstreamDedupeOptions],
  ['downstream-failure', DownstreamFailureOptions],
];
for (const [id, schema] of BUILT_IN) CHECK_OPTIONS.register({ id, schema });

/** Ids of the built-in checks, in catalogue order. */
export const BUILT_IN_CHECK_IDS: readonly string[] = BUILT_IN.map(([id]) => id);
