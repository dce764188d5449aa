// One duration syntax for YAML and flags: "250ms", "1.5s", "5m", "24h", "7d".

export const DURATION_UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const DURATION_EXAMPLES = '250ms, 30s, 5m, 24h or 7d';

const DURATION_TEXT = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Milliseconds (rounded) for a duration with a unit, or undefined when `text` is not one. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_TEXT.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * DURATION_UNITS[m[2] as keyof typeof DURATION_UNITS]);
}
