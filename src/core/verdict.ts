// The verdict vocabulary (GUIDE sections 1 and 3), defined once: what a result concluded and how
// serious a failed one is. Every layer that ranks or counts results uses these.

export const VERDICTS = ['pass', 'fail', 'skip', 'error'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** From least to most serious. */
export const LEVELS = ['observation', 'deviation', 'violation'] as const;
export type Level = (typeof LEVELS)[number];

/** Seriousness: higher is worse. */
export const LEVEL_RANK: Readonly<Record<Level, number>> = { observation: 0, deviation: 1, violation: 2 };

/** Display order of verdicts: what needs attention first. */
export const VERDICT_ORDER: Readonly<Record<Verdict, number>> = { fail: 0, error: 1, skip: 2, pass: 3 };

/** Whether a failed result at `level` reaches the `threshold` (`--fail-on`). */
export function atLeast(level: Level, threshold: Level): boolean {
  return LEVEL_RANK[level] >= LEVEL_RANK[threshold];
}

/** Sort comparator: most serious level first. */
export function bySeverity(a: Level, b: Level): number {
  return LEVEL_RANK[b] - LEVEL_RANK[a];
}
