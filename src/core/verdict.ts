// The verdict vocabulary (GUIDE sections 1 and 3), defined once: what a result concluded and how
// serious a failed one is. Every layer that ranks or counts results uses these.

// `inconclusive`: the check could not judge its own property because the endpoint's baseline (first
// execution, then an identical retry) already disproved one it depends on; the result names the check
// that owns that root cause. Counted apart, never failing the run.
export const VERDICTS = ['pass', 'fail', 'skip', 'error', 'inconclusive'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** From least to most serious. */
export const LEVELS = ['observation', 'deviation', 'violation'] as const;
export type Level = (typeof LEVELS)[number];

/** Seriousness: higher is worse. */
export const LEVEL_RANK: Readonly<Record<Level, number>> = { observation: 0, deviation: 1, violation: 2 };

/** Display order of verdicts: what needs attention first. */
export const VERDICT_ORDER: Readonly<Record<Verdict, number>> = { fail: 0, error: 1, inconclusive: 2, skip: 3, pass: 4 };

/** Whether a failed result at `level` reaches the `threshold` (`--fail-on`). */
export function atLeast(level: Level, threshold: Level): boolean {
  return LEVEL_RANK[level] >= LEVEL_RANK[threshold];
}

/** Sort comparator: most serious level first. */
export function bySeverity(a: Level, b: Level): number {
  return LEVEL_RANK[b] - LEVEL_RANK[a];
}

/** The check that owns an endpoint's replay properties, blamed by an inconclusive result that names no owner. */
export const BASELINE_OWNER = 'sequential-replay';

/** The check an inconclusive result blames (`facts.inconclusive.owner`). */
export function ownerOf(r: { facts?: Record<string, unknown> }): string {
  const owner = (r.facts?.inconclusive as { owner?: unknown } | undefined)?.owner;
  return typeof owner === 'string' ? owner : BASELINE_OWNER;
}

/** The root cause an inconclusive result defers (`facts.inconclusive.rootCause`), when it names one. */
export function rootCauseOf(r: { facts?: Record<string, unknown> }): string | undefined {
  const cause = (r.facts?.inconclusive as { rootCause?: unknown } | undefined)?.rootCause;
  return typeof cause === 'string' ? cause : undefined;
}
