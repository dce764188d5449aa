// The check ids are a public contract (reports, --only/--skip, scenario files). Kept apart from the
// registry so the scenario schema can name them without importing every check.
export const CHECK_IDS = [
  'concurrent-duplicates',
  'sequential-replay',
  'payload-mismatch',
  'missing-key',
  'cross-tenant',
  'key-validation',
  'cross-endpoint',
  'error-replay',
  'expiry',
  'fingerprint',
  'timeout-retry',
  'lost-response',
  'gateway-duplicate',
  'in-flight-recovery',
  'store-outage',
  'load',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

/** Checks that need the fault proxy, a store outage or a load profile: they run only when declared. */
export const CHAOS_AND_LOAD_IDS: readonly CheckId[] = ['timeout-retry', 'lost-response', 'gateway-duplicate', 'in-flight-recovery', 'store-outage', 'load'];

/** What a scenario without a `checks:` section runs: every protocol check, with default options. */
export const DEFAULT_CHECK_IDS: readonly CheckId[] = CHECK_IDS.filter((id) => !CHAOS_AND_LOAD_IDS.includes(id));

export function isCheckId(id: string): id is CheckId {
  return (CHECK_IDS as readonly string[]).includes(id);
}
