// Latency of a load run by outcome, twice: from each request's INTENDED start (what a client of an
// open system waits, queueing included) and from its actual send (service time). Histograms are
// created lazily per outcome and indexed by number, so recording costs two array reads.
import {
  addHistograms,
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  meanMs,
  minMs,
  percentileMs,
  recordMs,
  summarize,
  type LatencyHistogram,
  type LatencySummary,
} from '../../metrics/histogram.js';
import type { LatencySource, LatencyStat } from '../../metrics/thresholds.js';
import { OUTCOMES, type Outcome } from '../../core/outcome.js';
import type { EncodedLatency } from '../../report/model.js';

/** Outcomes in report order. */
export const OUTCOME_ORDER: readonly Outcome[] = OUTCOMES;
export const O_FIRST = 0;
export const O_REPLAY = 1;
export const O_CONFLICT = 2;
export const O_MISMATCH = 3;
export const O_REJECTED = 4;
export const O_ERROR = 5;
export const O_TIMEOUT = 6;

/** One outcome's histograms, HdrHistogram compressed base64 of µs values (see EncodedLatency in the report model). */
export type EncodedPair = EncodedLatency;

/** [smallest, largest] recorded value, µs, of the intended-start and service histograms. */
export type Extremes = { intended: [number, number]; service: [number, number] };

const extremesOf = (h: LatencyHistogram): [number, number] => [h.minNonZeroValue, h.maxValue];

/** hdr-histogram-js keeps min and max as plain fields (read-only in its types). */
function setExtremes(h: LatencyHistogram, min: number, max: number): void {
  const fields = h as unknown as { minNonZeroValue: number; maxValue: number };
  fields.minNonZeroValue = min;
  fields.maxValue = max;
}

export class LoadStats {
  readonly #latency: Array<LatencyHistogram | undefined> = new Array<LatencyHistogram | undefined>(OUTCOME_ORDER.length);
  readonly #service: Array<LatencyHistogram | undefined> = new Array<LatencyHistogram | undefined>(OUTCOME_ORDER.length);
  readonly counts: number[] = OUTCOME_ORDER.map(() => 0);
  #all: { latency?: LatencyHistogram; service?: LatencyHistogram } = {};

  /** Record one completed request: outcome index (O_*), latency from intended start and service time, in ms. */
  record(outcome: number, latencyMs: number, serviceMs: number): void {
    this.counts[outcome]! += 1;
    recordMs(this.#latency[outcome] ?? (this.#latency[outcome] = createLatencyHistogram()), latencyMs);
    recordMs(this.#service[outcome] ?? (this.#service[outcome] = createLatencyHistogram()), serviceMs);
  }

  get completed(): number {
    let n = 0;
    for (const c of this.counts) n += c;
    return n;
  }

  count(outcome: Outcome | 'all'): number {
    return outcome === 'all' ? this.completed : (this.counts[OUTCOME_ORDER.indexOf(outcome)] ?? 0);
  }

  histogram(source: LatencySource, outcome: Outcome | 'all'): LatencyHistogram | undefined {
    const list = source === 'service' ? this.#service : this.#latency;
    if (outcome !== 'all') return list[OUTCOME_ORDER.indexOf(outcome)];
    const cached = source === 'service' ? this.#all.service : this.#all.latency;
    if (cached) return cached;
    const present = list.filter((h): h is LatencyHistogram => h !== undefined);
    if (present.length === 0) return undefined;
    const sum = addHistograms(present);
    if (source === 'service') this.#all.service = sum;
    else this.#all.latency = sum;
    return sum;
  }

  /** A statistic in ms, undefined when nothing was recorded. Call after the run (the 'all' sum is cached). */
  stat(source: LatencySource, outcome: Outcome | 'all', stat: LatencyStat): number | undefined {
    const h = this.histogram(source, outcome);
    if (!h || h.totalCount === 0) return undefined;
    switch (stat.kind) {
      case 'percentile':
        return percentileMs(h, stat.percentile);
      case 'max':
        return summarize(h).max;
      case 'min':
        return minMs(h);
      case 'mean':
        return meanMs(h);
    }
  }

  summaries(source: LatencySource): Partial<Record<Outcome | 'all', LatencySummary>> {
    const out: Partial<Record<Outcome | 'all', LatencySummary>> = {};
    for (const outcome of [...OUTCOME_ORDER, 'all' as const]) {
      const h = this.histogram(source, outcome);
      if (h && h.totalCount > 0) out[outcome] = summarize(h);
    }
    return out;
  }

  encode(): Partial<Record<Outcome, EncodedPair>> {
    const out: Partial<Record<Outcome, EncodedPair>> = {};
    OUTCOME_ORDER.forEach((outcome, i) => {
      const l = this.#latency[i];
      const s = this.#service[i];
      if (l && s && l.totalCount > 0) out[outcome] = { intended: encodeHistogram(l), service: encodeHistogram(s) };
    });
    return out;
  }

  /** The exact smallest and largest value (µs) of each outcome's histograms; the encoding keeps only their buckets. */
  extremes(): Partial<Record<Outcome, Extremes>> {
    const out: Partial<Record<Outcome, Extremes>> = {};
    OUTCOME_ORDER.forEach((outcome, i) => {
      const l = this.#latency[i];
      const s = this.#service[i];
      if (l && s && l.totalCount > 0) out[outcome] = { intended: [l.minNonZeroValue, l.maxValue], service: [s.minNonZeroValue, s.maxValue] };
    });
    return out;
  }

  /**
   * Add another run's encoded histograms (another worker's share of this run): the counts and every
   * histogram bucket are summed, so percentiles equal those of one histogram of all the samples.
   * With the other run's extremes, the minimum and maximum stay exact too (a decoded histogram
   * knows them only to its precision).
   */
  add(encoded: Partial<Record<Outcome, EncodedPair>>, extremes: Partial<Record<Outcome, Extremes>> = {}): void {
    OUTCOME_ORDER.forEach((outcome, i) => {
      const pair = encoded[outcome];
      if (!pair) return;
      const had = this.counts[i]! > 0;
      const exact = extremes[outcome];
      const latency = this.#latency[i] ?? (this.#latency[i] = createLatencyHistogram());
      const service = this.#service[i] ?? (this.#service[i] = createLatencyHistogram());
      const before = { intended: extremesOf(latency), service: extremesOf(service) };
      let added = 0;
      for (const [h, text, which] of [
        [latency, pair.intended, 'intended'],
        [service, pair.service, 'service'],
      ] as const) {
        const decoded = decodeHistogram(text);
        const n = decoded.totalCount;
        if (which === 'intended') added = n;
        h.add(decoded);
        decoded.destroy();
        const mine = exact?.[which];
        if (mine && n > 0) {
          const [min, max] = had ? [Math.min(before[which][0], mine[0]), Math.max(before[which][1], mine[1])] : mine;
          setExtremes(h, min, max);
        }
      }
      this.counts[i]! += added;
    });
    // The cached sums over all outcomes no longer hold.
    this.#all.latency?.destroy();
    this.#all.service?.destroy();
    this.#all = {};
  }

  destroy(): void {
    for (const h of [...this.#latency, ...this.#service, this.#all.latency, this.#all.service]) h?.destroy();
    this.#all = {};
  }
}
