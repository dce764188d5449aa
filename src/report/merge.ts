// mergeReports: one report from several runs, e.g. the same load scenario driven from several CI
// runners at once (`idemaudit report --merge a.json b.json`). Pure: reports in, report out.
//
// What merging means, field by field:
//   results, exchanges     concatenated in the order given (exchangesDropped added up)
//   summary                recomputed from the merged results: fails if any run failed (at the
//                          strictest --fail-on among them), incomplete if any run was
//   histograms             added bucket by bucket (HdrHistogram, exact): endpoint -> outcome ->
//                          { intended, service }
//   latency                recomputed from the merged histograms wherever one exists; an entry that
//                          no run backed with a histogram cannot be merged exactly, so the entry with
//                          the largest count is kept
//   load                   per endpoint: counts, mixes, statuses and errors added up; rates (target
//                          and achieved) and connections added up, since the runners are assumed to
//                          load the target at the same time; lengths are the longest; conflict and
//                          error rates recomputed from the added outcomes; percentiles recomputed from
//                          the merged histograms; thresholds concatenated (each run judged its own);
//                          `runs` says how many runs were added
//   startedAt, finishedAt  earliest and latest; durationMs the span between them
//   target, profile, seed  the distinct values, joined with ", "
//   scenario               the common name, or "merged" when the runs differ
//   endpoints              union by name
import { UsageError } from '../core/errors.js';
import { LEVEL_RANK, type Level } from '../core/verdict.js';
import { OUTCOMES } from '../core/outcome.js';
import { addHistograms, decodeHistogram, encodeHistogram, summarize, type LatencyHistogram, type LatencySummary } from '../metrics/histogram.js';
import { checkShards } from './shards.js';
import { SCHEMA_VERSION, summarize as summarizeResults, type EncodedLatency, type LoadRunReport, type Outcome, type Report } from './model.js';

const distinct = (values: string[]): string => [...new Set(values)].join(', ');

function addCounts(into: Record<string, number>, from: Record<string, number> | undefined): void {
  for (const [k, n] of Object.entries(from ?? {})) into[k] = (into[k] ?? 0) + n;
}

/** Adds encoded histograms; undecodable ones are skipped. */
function mergeEncodedList(list: string[]): { encoded: string; h: LatencyHistogram } | undefined {
  const parts: LatencyHistogram[] = [];
  for (const e of list) {
    try {
      parts.push(decodeHistogram(e));
    } catch {
      // a damaged histogram is left out rather than failing the merge
    }
  }
  if (parts.length === 0) return undefined;
  const h = addHistograms(parts);
  for (const p of parts) p.destroy();
  return { encoded: encodeHistogram(h), h };
}

function mergeHistograms(reports: Report[]): {
  histograms: NonNullable<Report['histograms']>;
  summaries: Record<string, Record<string, { intended: LatencySummary; service: LatencySummary }>>;
  totals: Record<string, { intended?: LatencySummary; service?: LatencySummary }>;
} {
  const histograms: NonNullable<Report['histograms']> = {};
  const summaries: Record<string, Record<string, { intended: LatencySummary; service: LatencySummary }>> = {};
  const totals: Record<string, { intended?: LatencySummary; service?: LatencySummary }> = {};
  const endpoints = new Set(reports.flatMap((r) => Object.keys(r.histograms ?? {})));
  for (const endpoint of endpoints) {
    const byOutcome: Partial<Record<Outcome, EncodedLatency>> = {};
    const allParts: Record<'intended' | 'service', LatencyHistogram[]> = { intended: [], service: [] };
    for (const outcome of OUTCOMES) {
      const encs = reports.map((r) => r.histograms?.[endpoint]?.[outcome]).filter((e): e is EncodedLatency => !!e);
      if (encs.length === 0) continue;
      const intended = mergeEncodedList(encs.map((e) => e.intended));
      const service = mergeEncodedList(encs.map((e) => e.service));
      if (!intended || !service) {
        intended?.h.destroy();
        service?.h.destroy();
        continue;
      }
      byOutcome[outcome] = { intended: intended.encoded, service: service.encoded };
      (summaries[endpoint] ??= {})[outcome] = { intended: summarize(intended.h), service: summarize(service.h) };
      allParts.intended.push(intended.h);
      allParts.service.push(service.h);
    }
    histograms[endpoint] = byOutcome;
    const total: { intended?: LatencySummary; service?: LatencySummary } = {};
    for (const source of ['intended', 'service'] as const) {
      if (allParts[source].length === 0) continue;
      const sum = addHistograms(allParts[source]);
      total[source] = summarize(sum);
      sum.destroy();
      for (const h of allParts[source]) h.destroy();
    }
    totals[endpoint] = total;
  }
  return { histograms, summaries, totals };
}

function mergeLoad(
  reports: Report[],
  summaries: Record<string, Record<string, { intended: LatencySummary; service: LatencySummary }>>,
  totals: Record<string, { intended?: LatencySummary; service?: LatencySummary }>,
): Record<string, LoadRunReport> | undefined {
  const endpoints = [...new Set(reports.flatMap((r) => Object.keys(r.load ?? {})))];
  if (endpoints.length === 0) return undefined;
  const out: Record<string, LoadRunReport> = {};
  for (const endpoint of endpoints) {
    const runs = reports.map((r) => r.load?.[endpoint]).filter((l): l is LoadRunReport => !!l);
    const first = runs[0]!;
    const sum = (f: (l: LoadRunReport) => number | undefined): number => runs.reduce((s, l) => s + (f(l) ?? 0), 0);
    const outcomes: Record<string, number> = {};
    const statuses: Record<string, number> = {};
    const errors: Record<string, number> = {};
    for (const l of runs) {
      addCounts(outcomes, l.outcomes);
      addCounts(statuses, l.statuses);
      addCounts(errors, l.errors);
    }
    const completed = sum((l) => l.completed);
    const known = runs.filter((l) => l.duplicateExecutions !== null);
    const merged: LoadRunReport = {
      executor: first.executor,
      achievedRate: Math.round(sum((l) => l.achievedRate) * 10) / 10,
      connections: sum((l) => l.connections),
      durationMs: Math.max(...runs.map((l) => l.durationMs)),
      elapsedMs: Math.max(...runs.map((l) => l.elapsedMs)),
      sent: sum((l) => l.sent),
      completed,
      dropped: sum((l) => l.dropped),
      capped: runs.some((l) => l.capped),
      mix: { fresh: sum((l) => l.mix.fresh), replay: sum((l) => l.mix.replay), inflight: sum((l) => l.mix.inflight) },
      outcomes: outcomes,
      statuses,
      errors,
      conflictRate: (outcomes.conflict ?? 0) / Math.max(1, completed),
      errorRate: ((outcomes.error ?? 0) + (outcomes.timeout ?? 0)) / Math.max(1, completed),
      duplicateExecutions: known.length === 0 ? null : known.reduce((s, l) => s + (l.duplicateExecutions ?? 0), 0),
      replayMismatches: sum((l) => l.replayMismatches),
      replaysCompared: sum((l) => l.replaysCompared),
      thresholds: runs.flatMap((l) => l.thresholds),
      latency: { intended: {}, service: {} },
      runs: sum((l) => l.runs ?? 1),
    };
    if (runs.some((l) => l.targetRate !== undefined)) merged.targetRate = Math.round(sum((l) => l.targetRate) * 10) / 10;
    if (runs.some((l) => l.planned !== undefined)) merged.planned = sum((l) => l.planned);
    if (runs.some((l) => l.workers !== undefined)) merged.workers = sum((l) => l.workers ?? 1);
    if (runs.some((l) => l.late !== undefined)) merged.late = sum((l) => l.late);
    if (runs.some((l) => l.maxLagMs !== undefined)) merged.maxLagMs = Math.max(...runs.map((l) => l.maxLagMs ?? 0));
    const byOutcome = summaries[endpoint];
    if (byOutcome) {
      for (const [outcome, s] of Object.entries(byOutcome)) {
        merged.latency.intended[outcome as Outcome] = s.intended;
        merged.latency.service[outcome as Outcome] = s.service;
      }
      if (totals[endpoint]?.intended) merged.latency.intended.all = totals[endpoint].intended!;
      if (totals[endpoint]?.service) merged.latency.service.all = totals[endpoint].service!;
    } else {
      merged.latency = first.latency; // no histograms to add: figures of the first run only
    }
    out[endpoint] = merged;
  }
  return out;
}

export function mergeReports(reports: Report[]): Report {
  if (reports.length === 0) throw new UsageError('nothing to merge: give at least one report');
  const bad = reports.find((r) => r.schemaVersion !== SCHEMA_VERSION);
  if (bad) throw new UsageError(`cannot merge a report of schemaVersion ${String(bad.schemaVersion)} (this idemaudit reads ${SCHEMA_VERSION})`);
  const first = reports[0]!;
  if (reports.length === 1) return first;
  checkShards(reports);

  const results = reports.flatMap((r) => r.results);
  const failOn: Level = reports.map((r) => r.summary.failOn).reduce((a, b) => (LEVEL_RANK[b] < LEVEL_RANK[a] ? b : a));
  const reasons = reports.filter((r) => r.summary.verdict === 'incomplete').map((r) => r.summary.reason ?? 'incomplete');
  const startedAt = reports.map((r) => r.startedAt).sort()[0]!;
  const finishedAt = reports
    .map((r) => r.finishedAt)
    .sort()
    .at(-1)!;
  const names = [...new Set(reports.map((r) => r.scenario.name))];

  const { histograms, summaries, totals } = mergeHistograms(reports);
  const latency: Report['latency'] = {};
  for (const r of reports) {
    for (const [endpoint, byOutcome] of Object.entries(r.latency)) {
      for (const [outcome, s] of Object.entries(byOutcome) as Array<[Outcome, LatencySummary | undefined]>) {
        if (!s) continue;
        const into = (latency[endpoint] ??= {});
        const prev = into[outcome];
        if (!prev || s.count > prev.count) into[outcome] = s;
      }
    }
  }
  for (const [endpoint, byOutcome] of Object.entries(summaries)) {
    for (const [outcome, s] of Object.entries(byOutcome)) (latency[endpoint] ??= {})[outcome as Outcome] = s.intended;
  }

  const endpoints = [...first.endpoints];
  for (const r of reports.slice(1)) for (const e of r.endpoints) if (!endpoints.some((x) => x.name === e.name)) endpoints.push(e);

  const merged: Report = {
    ...first,
    scenario:
      names.length === 1
        ? { ...first.scenario, description: `${reports.length} runs merged${first.scenario.description ? `: ${first.scenario.description}` : ''}` }
        : { name: 'merged', description: `${reports.length} runs merged: ${names.join(', ')}` },
    endpoints,
    target: distinct(reports.map((r) => r.target)),
    profile: distinct(reports.map((r) => r.profile)),
    seed: distinct(reports.map((r) => r.seed)),
    startedAt,
    finishedAt,
    durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt)),
    summary: summarizeResults(results, failOn, reasons.length > 0 ? distinct(reasons) : undefined, reports.find((r) => r.summary.stoppedBy)?.summary.stoppedBy),
    results,
    latency,
    exchanges: reports.flatMap((r) => r.exchanges),
    exchangesDropped: reports.reduce((s, r) => s + (r.exchangesDropped ?? 0), 0),
  };
  if (names.length === 1 && first.scenario.file === undefined) delete merged.scenario.file;
  if (Object.keys(histograms).length > 0) merged.histograms = histograms;
  else delete merged.histograms;
  const load = mergeLoad(reports, summaries, totals);
  if (load) merged.load = load;
  else delete merged.load;
  // Per-run artefacts that name one run's files cannot describe the merge.
  delete merged.history;
  return merged;
}
