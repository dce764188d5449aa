// The one place latency is measured: HdrHistogram recording integer MICROseconds, reported in
// milliseconds. Keeping the unit explicit here avoids autocannon's mixed-unit mistakes.
import * as hdr from 'hdr-histogram-js';

export type LatencyHistogram = hdr.Histogram;

/** 1 µs .. 10 min at 3 significant digits. */
export function createLatencyHistogram(): LatencyHistogram {
  return hdr.build({
    bitBucketSize: 64,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

export function recordMs(h: LatencyHistogram, ms: number): void {
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

const toMs = (us: number): number => Math.round(us) / 1000;

export function summarize(h: LatencyHistogram): LatencySummary {
  const max = h.maxValue;
  // A percentile is reported as its bucket's upper bound, which can exceed the exact maximum.
  const at = (p: number): number => toMs(Math.min(h.getValueAtPercentile(p), max));
  return { count: h.totalCount, p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: toMs(max) };
}
