// A profile is data: what a given specification expects in each situation of GUIDE section 1.
// Checks never hard-code a status code; they ask the profile, and cite the rule it names.

export type Situation =
  'inFlight' | 'mismatch' | 'missingKey' | 'invalidKey' | 'replay' | 'tenantScope' | 'endpointScope' | 'execution' | 'errors' | 'retention' | 'fingerprint';

/** What a retry after an error answer must get: the stored error, a fresh attempt, or either. */
export type ErrorPolicy = 'replay' | 'release' | 'any';

export interface Profile {
  id: string;
  title: string;
  /** Where the rules come from, shown in reports. */
  source: string;
  /** How keys are written: an RFC 9651 sf-string ("...") or the bare value. */
  keyFormat: 'sf-string' | 'raw';
  /** Whether a mutation without a key must be rejected. */
  keyRequired: boolean;
  /** Acceptable statuses per rejected situation. */
  expect: { inFlight: number[]; mismatch: number[]; missingKey: number[] };
  /** The replay marker header and whether its absence is a deviation (true) or an observation (false). */
  replayMarker: { header: string; required: boolean };
  /** Retention the profile promises, if it names one. */
  retentionMs?: number;
  /** Error policy the profile demands; 'any' makes the outcome an observation. */
  errors: { '4xx': ErrorPolicy; '5xx': ErrorPolicy };
  /** Citation per situation, e.g. "draft-07 §2.7". */
  cite: Record<Situation, string>;
}
