// The percentile table of every load run in a report, for the terminal (and `report` re-renders).
import Table from 'cli-table3';
import { OUTCOMES as OUTCOME_ORDER } from '../core/outcome.js';
import type { LoadRunReport, Report } from './model.js';

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
    out.push(`load ${endpoint} [${fig.executor}${fig.runs ? `, ${fig.runs} runs merged` : ''}]: ${rate}; ${fig.sent} sent, ${fig.completed} completed${fig.dropped ? `, ${fig.dropped} dropped` : ''}${fig.late ? `, ${fig.late} sent late (> 5 ms behind schedule, worst ${fig.maxLagMs} ms)` : ''}${fig.capped ? ' (capped by maxRequests)' : ''} in ${(fig.elapsedMs / 1000).toFixed(1)} s`);
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
