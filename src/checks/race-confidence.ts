// What a clean concurrent-duplicates run rules out, from the arrival times the server reported.
//
// Model. A check-then-set race of width w: the first copy checks the key at its arrival and claims it
// w ms later; any other copy whose check falls inside that window sees "absent" and runs too. Checks
// follow arrivals closely, so a burst exposes such a window when its first two arrivals are less
// than w apart. Treat the gap between the first two arrivals of a burst as a random variable G; its
// distribution is estimated from the N bursts sent (plug-in estimate F(w) = share of bursts with
// G < w). Bursts are independent trials, so a window w goes unseen in all N with probability
// (1 - F(w))^N. We state the narrowest w (among the observed gaps) for which that is at most 1%.
// Limits, said plainly in the message: the estimate comes from the same bursts, arrivals are the
// server's own clock reading when a request finished arriving (not when it checked the key), and a
// race that needs something other than close arrivals (e.g. a slow store replica) is not covered.

export interface RaceBound {
  bursts: number;
  /** Gap between the first two arrivals, per burst that reported arrivals (ms). */
  gapsMs: number[];
  /** Narrowest window ruled out with `confidence`, when arrivals were reported. */
  windowMs?: number;
  confidence: number;
  /** Largest spread (first to last arrival) of any burst, ms. */
  maxSpreadMs?: number;
}

export const CONFIDENCE = 0.99;

/** Gap between the two earliest arrivals, in ms. */
export function firstGapMs(arrivals: number[]): number | undefined {
  if (arrivals.length < 2) return undefined;
  const sorted = [...arrivals].sort((a, b) => a - b);
  return sorted[1]! - sorted[0]!;
}

/** Pure: the narrowest window w with 1 - (1 - F(w))^N >= confidence, F the empirical CDF of the gaps. */
export function raceBound(arrivalsPerBurst: Array<number[] | undefined>, confidence = CONFIDENCE): RaceBound {
  const gaps = arrivalsPerBurst
    .map((a) => (a ? firstGapMs(a) : undefined))
    .filter((g): g is number => g !== undefined)
    .sort((a, b) => a - b);
  const spreads = arrivalsPerBurst.filter((a): a is number[] => a !== undefined && a.length >= 2).map((a) => Math.max(...a) - Math.min(...a));
  const bound: RaceBound = { bursts: arrivalsPerBurst.length, gapsMs: gaps.map(round3), confidence };
  if (spreads.length > 0) bound.maxSpreadMs = round3(Math.max(...spreads));
  const n = gaps.length;
  if (n === 0) return bound;
  // F(w) for w just above the k-th smallest gap is k/n; find the smallest k meeting the confidence.
  for (let k = 1; k <= n; k++) {
    if (1 - (1 - k / n) ** n >= confidence) {
      // "Just above": the next representable step over the gap, shown rounded up to 0.001 ms.
      bound.windowMs = Math.ceil((gaps[k - 1]! + 0.0005) * 1000) / 1000;
      return bound;
    }
  }
  return bound;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;
