// The one place latency is measured: HdrHistogram recording integer MICROseconds, reported in
// milliseconds. Keeping the unit explicit here avoids autocannon's mixed-unit mistakes.
//
// Units, once and for all:
//   - values INSIDE a histogram are microseconds (LATENCY_UNIT), recorded with recordMs/recordUs;
//   - everything that LEAVES this file (summaries, .hgrm files, thresholds) is milliseconds;
//   - the compressed encoding (encodeHistogram) carries the raw microsecond histogram, so decoding
//     and adding histograms from several runs is exact (mergeReports relies on this).
import * as hdr from 'hdr-histogram-js';

export type LatencyHistogram = hdr.Histogram;

/** The unit of the values recorded inside every latency histogram. */
export const LATENCY_UNIT = 'us';
/** Recorded value per millisecond (µs per ms). */
export const UNITS_PER_MS = 1000;
const HIGHEST_US = 600_000_000;

/** 1 µs .. 10 min at 3 significant digits. */
export function createLatencyHistogram(): LatencyHistogram {
  return hdr.build({
    bitBucketSize: 64,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Record a latency given in milliseconds (sub-ms precision kept as µs; clamped to 1 µs .. 10 min). */
export function recordMs(h: LatencyHistogram, ms: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * UNITS_PER_MS))));
}

/** Record a latency already in microseconds (integer or not; clamped like recordMs). */
export function recordUs(h: LatencyHistogram, us: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(us))));
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Mean, standard deviation and p95 (absent in reports written before they were recorded). */
  mean?: number;
  stddev?: number;
  p95?: number;
}

const toMs = (us: number): number => Math.round(us) / UNITS_PER_MS;

export function summarize(h: LatencyHistogram): LatencySummary {
  const max = h.maxValue;
  // A percentile is reported as its bucket's upper bound, which can exceed the exact maximum.
  const at = (p: number): number => toMs(Math.min(h.getValueAtPercentile(p), max));
  if (h.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, stddev: 0, p95: 0 };
  return {
    count: h.totalCount,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: toMs(max),
    mean: Math.round(h.mean) / UNITS_PER_MS,
    stddev: Math.round(h.stdDeviation) / UNITS_PER_MS,
    p95: at(95),
  };
}

/** Any percentile (0..100) in milliseconds, capped at the exact maximum like summarize(). */
export function percentileMs(h: LatencyHistogram, percentile: number): number {
  if (h.totalCount === 0) return 0;
  return toMs(Math.min(h.getValueAtPercentile(percentile), h.maxValue));
}

/** Mean and minimum in milliseconds (0 for an empty histogram). */
export function meanMs(h: LatencyHistogram): number {
  return h.totalCount === 0 ? 0 : Math.round(h.mean) / UNITS_PER_MS;
}

export function minMs(h: LatencyHistogram): number {
  return h.totalCount === 0 ? 0 : toMs(h.minNonZeroValue);
}

/** HdrHistogram's compressed encoding (V2 + deflate, base64), the interchange format of every HdrHistogram port. */
export function encodeHistogram(h: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** Inverse of encodeHistogram; the result has the same unit (µs) and must be destroy()ed like any other. */
export function decodeHistogram(base64: string): LatencyHistogram {
  const decoded = hdr.decodeFromCompressedBase64(base64, 64, false);
  // Re-home the counts into a histogram from this factory, so every histogram in the process has
  // identical settings (range, precision), whatever the encoder used.
  const h = createLatencyHistogram();
  h.add(decoded);
  decoded.destroy();
  return h;
}

/** A new histogram holding the sum of all given ones (none: empty). */
export function addHistograms(all: Iterable<LatencyHistogram>): LatencyHistogram {
  const sum = createLatencyHistogram();
  for (const h of all) sum.add(h);
  return sum;
}

/** Decode, add and re-encode several encoded histograms. */
export function mergeEncoded(encoded: string[]): string {
  const sum = createLatencyHistogram();
  for (const e of encoded) {
    const h = decodeHistogram(e);
    sum.add(h);
    h.destroy();
  }
  const out = encodeHistogram(sum);
  sum.destroy();
  return out;
}

/** Summary (ms) of an encoded histogram. */
export function summarizeEncoded(base64: string): LatencySummary {
  const h = decodeHistogram(base64);
  try {
    return summarize(h);
  } finally {
    h.destroy();
  }
}

/**
 * HdrHistogram's classic percentile-distribution text (the `.hgrm` format that HdrHistogram's
 * plotter reads), with values scaled to MILLISECONDS.
 */
export function percentileDistribution(h: LatencyHistogram, ticksPerHalfDistance = 5): string {
  return h.outputPercentileDistribution(ticksPerHalfDistance, UNITS_PER_MS);
}
