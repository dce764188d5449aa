// The percentile table of every load run in a report, for the terminal (and `report` re-renders):
// wrapped to the terminal's width, with mean, standard deviation and p50 to max per outcome.
import { OUTCOMES as OUTCOME_ORDER } from '../core/outcome.js';
import type { LatencySummary } from '../metrics/histogram.js';
import type { Report } from './model.js';
import { clip, latencyColumns, wrap } from './text-layout.js';

const pct = (f: number): string => `${Number((f * 100).toFixed(2))}%`;

/** Percentile table(s) of every load run in the report, for the terminal; '' when there is none. */
export function renderLoadTable(report: Report, opts: { color?: boolean; width?: number } = {}): string {
  const out: string[] = [];
  const width = Math.max(40, opts.width ?? 120);
  for (const [endpoint, fig] of Object.entries(report.load ?? {})) {
    const rate =
      fig.targetRate !== undefined
        ? `${fig.achievedRate} req/s achieved of ${fig.targetRate} target (${pct(fig.achievedRate / fig.targetRate)})`
        : `${fig.achievedRate} req/s on ${fig.connections} connections`;
    const threads = fig.workers ? ` (${fig.workers} worker threads)` : '';
    const dup = fig.duplicateExecutions === null ? 'unknown (no oracle)' : String(fig.duplicateExecutions);
    out.push(
      ...wrap(
        `load ${endpoint} [${fig.executor}${fig.runs ? `, ${fig.runs} runs merged` : ''}]: ${rate}${threads}; ${fig.sent} sent, ${fig.completed} completed${fig.dropped ? `, ${fig.dropped} dropped` : ''}${fig.late ? `, ${fig.late} sent late (> 5 ms behind schedule, worst ${fig.maxLagMs} ms)` : ''}${fig.capped ? ' (capped by maxRequests)' : ''} in ${(fig.elapsedMs / 1000).toFixed(1)} s`,
        width,
        2,
        0,
      ),
    );
    out.push(
      ...wrap(
        `mix: ${fig.mix.fresh} fresh, ${fig.mix.replay} replays, ${fig.mix.inflight} in-flight duplicates; duplicate executions: ${dup}; replay mismatches: ${fig.replayMismatches}; conflict rate ${pct(fig.conflictRate)}; error rate ${pct(fig.errorRate)}`,
        width,
        4,
        2,
      ),
    );
    const open = fig.executor !== 'constant-connections';
    const rows: Array<{ lead: string[]; s: LatencySummary }> = [];
    for (const o of [...OUTCOME_ORDER, 'all' as const]) {
      const s = fig.latency.intended[o];
      if (s) rows.push({ lead: [o], s });
    }
    const all = fig.latency.service.all;
    if (open && all) rows.push({ lead: ['service time'], s: all });
    out.push(`  latency (ms) ${open ? 'from intended start (service time: from send)' : 'from send'}:`);
    out.push(...latencyColumns(['outcome'], rows).map((l) => clip(`    ${l}`, width)));
    for (const t of fig.thresholds) out.push(...wrap(`${t.verdict === 'pass' ? '✓' : t.verdict === 'fail' ? '✗' : '-'} ${t.observed}`, width, 4, 2));
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
