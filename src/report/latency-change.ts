// Is a latency change between two runs real? Distribution-free confidence intervals on percentiles,
// read off the runs' HdrHistograms: for the p-quantile of n samples, the ranks n·p ∓ z·√(n·p·(1−p))
// bound it (normal approximation of the binomial order-statistic interval). A percentile moved only
// when the two intervals do not overlap by more than the tolerance: the new run's lower bound
// exceeds the old run's upper bound × (1 + tolerance) and by at least `minDeltaMs`. Fewer than
// `minSamples` answers in either run: not judged at all. A percentile with fewer than `minTail`
// answers above it in either run is not judged either: with 35 answers "p99" is the maximum, and one
// scheduling hiccup on a busy machine moves it (seen on this 2-core machine: 92 ms -> 162 ms).
import { decodeHistogram, type LatencyHistogram } from '../metrics/histogram.js';

export interface LatencyGate {
  /** Allowed relative increase beyond the noise (0.2 = +20 %). */
  tolerance: number;
  /** Changes smaller than this many milliseconds are ignored. */
  minDeltaMs: number;
  /** Fewer answers than this per outcome in either run: not compared. */
  minSamples: number;
  /** Two-sided z of each interval (2.576: 99 %). */
  z: number;
  percentiles: number[];
  /** Answers that must lie above a percentile in both runs for it to be judged (n·(1 − p) >= minTail). */
  minTail: number;
}

export interface PercentileInterval {
  percentile: number;
  value: number;
  low: number;
  high: number;
  n: number;
}

export type LatencyVerdict =
  | { kind: 'too-few'; nBefore: number; nAfter: number }
  | { kind: 'same' | 'slower' | 'faster'; before: PercentileInterval[]; after: PercentileInterval[]; moved: number[] };

const valueAt = (h: LatencyHistogram, p: number): number => Math.min(h.getValueAtPercentile(Math.min(100, Math.max(0, p))), h.maxValue) / 1000;

/** The percentile's value and its confidence interval, in ms. */
export function percentileInterval(h: LatencyHistogram, percentile: number, z: number): PercentileInterval {
  const n = h.totalCount;
  const q = percentile / 100;
  const spread = z * Math.sqrt((q * (1 - q)) / Math.max(1, n));
  return {
    percentile,
    n,
    value: valueAt(h, percentile),
    low: q - spread <= 0 ? h.minNonZeroValue / 1000 : valueAt(h, (q - spread) * 100),
    high: q + spread >= 1 ? h.maxValue / 1000 : valueAt(h, (q + spread) * 100),
  };
}

export function judgeLatency(before: string, after: string, gate: LatencyGate): LatencyVerdict {
  const a = decodeHistogram(before);
  const b = decodeHistogram(after);
  try {
    if (a.totalCount < gate.minSamples || b.totalCount < gate.minSamples) return { kind: 'too-few', nBefore: a.totalCount, nAfter: b.totalCount };
    const judged = gate.percentiles.filter((p) => Math.min(a.totalCount, b.totalCount) * (1 - p / 100) >= gate.minTail);
    if (judged.length === 0) return { kind: 'too-few', nBefore: a.totalCount, nAfter: b.totalCount };
    const ia = judged.map((p) => percentileInterval(a, p, gate.z));
    const ib = judged.map((p) => percentileInterval(b, p, gate.z));
    const slower = ia.filter((x, i) => beyond(x.high, ib[i]!.low, gate)).map((x) => x.percentile);
    const faster = ia.filter((x, i) => beyond(ib[i]!.high, x.low, gate)).map((x) => x.percentile);
    if (slower.length > 0) return { kind: 'slower', before: ia, after: ib, moved: slower };
    if (faster.length > 0) return { kind: 'faster', before: ia, after: ib, moved: faster };
    return { kind: 'same', before: ia, after: ib, moved: [] };
  } finally {
    a.destroy();
    b.destroy();
  }
}

/** `to` is above `from` beyond the tolerance and the minimum delta. */
function beyond(from: number, to: number, gate: LatencyGate): boolean {
  return to > from * (1 + gate.tolerance) && to - from >= gate.minDeltaMs;
}

/** Two shares differ beyond both the tolerance (absolute) and sampling noise (two-proportion z). */
export function sharesDiffer(x1: number, n1: number, x2: number, n2: number, tolerance: number, z: number): boolean {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return Math.abs(p2 - p1) > Math.max(tolerance, z * se) + 1e-12;
}
