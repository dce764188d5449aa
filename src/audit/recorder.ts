// Everything the run keeps about traffic: latency histograms by endpoint and outcome, and a
// bounded, redacted list of exchanges. Oracle traffic (probe, ledger) is not part of latency.
import type { Profile } from '../profiles/index.js';
import { createLatencyHistogram, encodeHistogram, recordMs, summarize, type LatencyHistogram } from '../metrics/histogram.js';
import type { Outcome, Report } from '../report/model.js';
import type { Exchange, ExchangeRecord } from '../core/exchange.js';
import { outcomeOf } from '../engine/outcome.js';
import type { Redactor } from '../report/redact.js';

const ORACLE_LABELS = new Set(['probe', 'ledger']);

export class RunRecorder {
  readonly #histograms = new Map<string, Map<Outcome, LatencyHistogram>>();
  readonly #records: ExchangeRecord[] = [];
  #dropped = 0;

  constructor(
    private readonly profile: Profile,
    private readonly redactor: Redactor,
    private readonly maxExchanges = 2000,
  ) {}

  readonly sink = (e: Exchange): void => {
    if (!ORACLE_LABELS.has(e.label)) {
      const outcome = outcomeOf(e, this.profile);
      let byOutcome = this.#histograms.get(e.endpoint);
      if (!byOutcome) this.#histograms.set(e.endpoint, (byOutcome = new Map<Outcome, LatencyHistogram>()));
      let h = byOutcome.get(outcome);
      if (!h) byOutcome.set(outcome, (h = createLatencyHistogram()));
      recordMs(h, e.durationMs);
    }
    if (this.#records.length < this.maxExchanges) this.#records.push(this.redactor.record(e));
    else this.#dropped += 1;
  };

  latency(): Report['latency'] {
    const out: Report['latency'] = {};
    for (const [endpoint, byOutcome] of this.#histograms) {
      out[endpoint] = {};
      for (const [outcome, h] of byOutcome) out[endpoint][outcome] = summarize(h);
    }
    return out;
  }

  /** The same histograms, encoded (HdrHistogram compressed base64, µs), for `compare`. */
  encodedLatency(): NonNullable<Report['latencyHistograms']> {
    const out: NonNullable<Report['latencyHistograms']> = {};
    for (const [endpoint, byOutcome] of this.#histograms) {
      out[endpoint] = {};
      for (const [outcome, h] of byOutcome) out[endpoint][outcome] = encodeHistogram(h);
    }
    return out;
  }

  exchanges(): { exchanges: ExchangeRecord[]; dropped: number } {
    return { exchanges: this.#records, dropped: this.#dropped };
  }

  close(): void {
    for (const byOutcome of this.#histograms.values()) for (const h of byOutcome.values()) h.destroy();
  }
}
