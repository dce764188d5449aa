// One line per check id of the GUIDE's catalogue (section 2), for rule descriptions in SARIF and
// the governance report. Kept here, not read from the check registry, so a saved report renders
// the same whichever checks this build has; unknown ids fall back to the id itself.
const CHECK_TEXT: Record<string, string> = {
  'concurrent-duplicates': 'Concurrent copies with one key execute at most once; losers get a conflict',
  'sequential-replay': 'A repeat after completion replays the stored status, body and headers without executing again',
  'payload-mismatch': 'A reused key with a different payload is rejected and does not poison the original',
  'missing-key': 'A mutation without a key is rejected where the key is required',
  'key-validation': 'Malformed keys (empty, over-long, control characters) are rejected with a 4xx, never a 5xx or a collision',
  'cross-tenant': "A key reused by another tenant never returns the first tenant's response",
  'cross-endpoint': "A key reused on another endpoint or method never returns the other endpoint's response",
  'timeout-retry': 'A client timeout followed by retries leads to one execution and an exact replay',
  'lost-response': 'A response lost after the commit is recovered by a retry without a second execution',
  'gateway-duplicate': 'A request duplicated upstream by a gateway executes once',
  'in-flight-recovery': 'An abandoned in-flight claim expires within the declared lease',
  'error-replay': 'What a retry gets after a 4xx/5xx first attempt (replayed or released)',
  expiry: 'Keys replay within the declared retention window and execute afresh after it',
  load: 'No duplicate execution under open-model load with duplicates',
  'cross-instance-duplicates': 'Concurrent copies with one key sent to different instances or regions execute at most once in all',
  'failover-replay': 'A retry through another instance or region after a commit replays it (or answers 409), never executes again',
};

export function checkText(id: string): string {
  return CHECK_TEXT[id] ?? id;
}

/** GUIDE section 6: what each business-risk class covers and what it demands. */
export const RISK_TEXT: Record<string, string> = {
  critical: 'financial transactions, inventory reservation: strict fail-closed expected',
  high: 'irreversible workflow actions',
  medium: 'profile or preference writes',
  low: 'analytics, metadata',
};
