// Latency outcome classes: how an answer is counted in latency-by-outcome tables, histograms and
// load thresholds. Listed once, in the order reports show them.

export const OUTCOMES = ['first', 'replay', 'conflict', 'mismatch', 'rejected', 'error', 'timeout'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export function isOutcome(name: string): name is Outcome {
  return (OUTCOMES as readonly string[]).includes(name);
}
