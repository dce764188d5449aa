// A load run in the report: lifting the load check's figures and histograms out of its result
// facts into `report.load` and `report.histograms`, the percentile table for the terminal, and the
// `.hgrm` percentile-distribution files written beside the JSON report.
import Table from 'cli-table3';
import { writeFile } from 'node:fs/promises';
import {
  addHistograms, decodeHistogram, percentileDistribution, summarize, type LatencyHistogram, type LatencySummary,
} from '../metrics/histogram.js';
import { OUTCOMES as OUTCOME_ORDER } from '../core/outcome.js';
import type { EncodedLatency, LoadOutcome, LoadRunReport, Outcome, Report } from './model.js';

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
  const parts = OUTCOME_ORDER.map((o) => byOutcome[o]?.[source]).filter((s): s is string => !!s).map(decodeOrUndefined)
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
    const ep = fileSafe(endpoint);
    const total = endpointTotal(byOutcome, 'intended');
    if (total) {
      const file = `${base}.${ep}.all.hgrm`;
      await writeFile(file, percentileDistribution(total));
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
        await writeFile(file, percentileDistribution(h));
        h.destroy();
        written.push(file);
      }
    }
  }
  return written;
}

const f2 = (n: number): string => n.toFixed(2);
const pct = (f: number): string => `${Number((f * 100).toFixed(2))}%`;

/** Percentile table(s) of every load run in the report, for the terminal; '' when there is none. */
export function renderLoadTable(report: Report, opts: { color?: boolean } = {}): string {
  const out: string[] = [];
  const style = { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [] };
  for (const [endpoint, fig] of Object.entries(report.load ?? {})) {
    const rate = fig.targetRate !== undefined
      ? `${fig.achievedRate} req/s achieved of ${fig.targetRate} target (${pct(fig.achievedRate / fig.targetRate)})`
      : `${fig.achievedRate} req/s on ${fig.connections} connections`;
    const dup = fig.duplicateExecutions === null ? 'unknown (no oracle)' : String(fig.duplicateExecutions);
    out.push(`load ${endpoint} [${fig.executor}${fig.runs ? `, ${fig.runs} runs merged` : ''}]: ${rate}; ${fig.sent} sent, ${fig.completed} completed${fig.dropped ? `, ${fig.dropped} dropped` : ''}${fig.capped ? ' (capped by maxRequests)' : ''} in ${(fig.elapsedMs / 1000).toFixed(1)} s`);
    out.push(`  mix: ${fig.mix.fresh} fresh, ${fig.mix.replay} replays, ${fig.mix.inflight} in-flight duplicates; duplicate executions: ${dup}; replay mismatches: ${fig.replayMismatches}; conflict rate ${pct(fig.conflictRate)}; error rate ${pct(fig.errorRate)}`);
    const open = fig.executor !== 'constant-connections';
    const table = new Table({ head: ['latency (ms)', 'outcome', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'], style });
    const rows = (label: string, byOutcome: LoadRunReport['latency']['intended']): void => {
      for (const o of [...OUTCOME_ORDER, 'all' as const]) {
        const s = byOutcome[o];
        if (s) table.push([label, o, s.count, f2(s.p50), f2(s.p90), f2(s.p99), f2(s.p999), f2(s.max)]);
      }
    };
    rows(open ? 'from intended start' : 'from send', fig.latency.intended);
    const all = fig.latency.service.all;
    if (open && all) table.push(['service time', 'all', all.count, f2(all.p50), f2(all.p90), f2(all.p99), f2(all.p999), f2(all.max)]);
    out.push(table.toString());
    for (const t of fig.thresholds) out.push(`  ${t.verdict === 'pass' ? '✓' : t.verdict === 'fail' ? '✗' : '-'} ${t.observed}`);
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
