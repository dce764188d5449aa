// A load run in the report: putting the load check's figures and histograms (Finding.load) into
// `report.load` and `report.histograms`, and the `.hgrm` percentile-distribution files written
// beside the JSON report. The terminal's percentile table is load-table.ts.
import { fitName, writeFileAtomic } from './files.js';
import { addHistograms, decodeHistogram, percentileDistribution, summarize, type LatencyHistogram, type LatencySummary } from '../metrics/histogram.js';
import { OUTCOMES as OUTCOME_ORDER } from '../core/outcome.js';
import type { EncodedLatency, LoadOutcome, Outcome, Report } from './model.js';

function decodeOrUndefined(base64: string): LatencyHistogram | undefined {
  try {
    return decodeHistogram(base64);
  } catch {
    return undefined;
  }
}

/** Summary (ms) of an encoded histogram, undefined when it does not decode. */
function summaryOf(base64: string): LatencySummary | undefined {
  const h = decodeOrUndefined(base64);
  if (!h) return undefined;
  try {
    return summarize(h);
  } finally {
    h.destroy();
  }
}

/**
 * Puts a load run's figures and histograms into `report.load` and `report.histograms`, and makes
 * `report.latency` of that endpoint's outcomes the load run's latency from the intended start
 * (thousands of requests, against the handful the other checks send). Returns the same report.
 */
export function attachLoadOutcome(report: Report, endpoint: string, load: LoadOutcome): Report {
  (report.load ??= {})[endpoint] = load.figures;
  (report.histograms ??= {})[endpoint] = load.histograms;
  recomputeLatency(report);
  return report;
}

/** report.latency[endpoint][outcome] from report.histograms, wherever a histogram exists. */
export function recomputeLatency(report: Report): void {
  for (const [endpoint, byOutcome] of Object.entries(report.histograms ?? {})) {
    for (const outcome of OUTCOME_ORDER) {
      const enc = byOutcome[outcome];
      if (!enc) continue;
      const s = summaryOf(enc.intended);
      if (s) (report.latency[endpoint] ??= {})[outcome] = s;
    }
  }
}

/** Every histogram of one endpoint and source, added up (the "all" row); undefined when none decode. */
export function endpointTotal(byOutcome: Partial<Record<Outcome, EncodedLatency>>, source: keyof EncodedLatency): LatencyHistogram | undefined {
  const parts = OUTCOME_ORDER.map((o) => byOutcome[o]?.[source])
    .filter((s): s is string => !!s)
    .map(decodeOrUndefined)
    .filter((h): h is LatencyHistogram => !!h);
  if (parts.length === 0) return undefined;
  const sum = addHistograms(parts);
  for (const p of parts) p.destroy();
  return sum;
}

const fileSafe = (s: string): string => s.replace(/[^A-Za-z0-9_.-]+/g, '-');

/**
 * Writes HdrHistogram percentile distributions (values in ms) beside the JSON report:
 * `<base>.<endpoint>.<outcome>.hgrm` from the intended start, `...service.hgrm` from the send,
 * and `<base>.<endpoint>.all.hgrm` for every outcome together. Returns the paths written.
 */
export async function writeHistogramFiles(report: Report, jsonFile: string): Promise<string[]> {
  const base = jsonFile.replace(/\.json$/, '');
  const written: string[] = [];
  for (const [endpoint, byOutcome] of Object.entries(report.histograms ?? {})) {
    const ep = fitName(fileSafe(endpoint), 60);
    const total = endpointTotal(byOutcome, 'intended');
    if (total) {
      const file = `${base}.${ep}.all.hgrm`;
      await writeFileAtomic(file, percentileDistribution(total));
      total.destroy();
      written.push(file);
    }
    for (const outcome of OUTCOME_ORDER) {
      const enc = byOutcome[outcome];
      if (!enc) continue;
      for (const source of ['intended', 'service'] as const) {
        const h = decodeOrUndefined(enc[source]);
        if (!h) continue;
        const file = `${base}.${ep}.${outcome}${source === 'service' ? '.service' : ''}.hgrm`;
        await writeFileAtomic(file, percentileDistribution(h));
        h.destroy();
        written.push(file);
      }
    }
  }
  return written;
}

export { renderLoadTable } from './load-table.js';
