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

export function isCheckId(id: string): id is CheckId {
  return (CHECK_IDS as readonly string[]).includes(id);
}
