// The figures of a load run as the report carries them (pure): `Finding.load.figures`, put into the report by
// src/report/load-results.ts and rendered by src/report/load-table.ts.
import { OUTCOMES as OUTCOME_ORDER, type Outcome } from '../../core/outcome.js';
import type { LoadResult } from '../../engine/load/types.js';
import type { LoadRunReport } from '../../report/model.js';
import { achievedRate } from './metrics.js';

export function loadFigures(r: LoadResult, dupExecutions: number | null, thresholdRows: LoadRunReport['thresholds']): LoadRunReport {
  const outcomes: Partial<Record<Outcome, number>> = {};
  for (const o of OUTCOME_ORDER) if (r.stats.count(o) > 0) outcomes[o] = r.stats.count(o);
  const done = Math.max(1, r.completed);
  const fig: LoadRunReport = {
    executor: r.executor,
    achievedRate: Math.round(achievedRate(r) * 10) / 10,
    connections: r.connections,
    durationMs: r.durationMs,
    elapsedMs: Math.round(r.elapsedMs),
    sent: r.sent,
    completed: r.completed,
    dropped: r.dropped,
    capped: r.capped,
    mix: { ...r.kinds },
    outcomes,
    statuses: r.statuses,
    errors: r.errors,
    conflictRate: r.stats.count('conflict') / done,
    errorRate: (r.stats.count('error') + r.stats.count('timeout')) / done,
    duplicateExecutions: dupExecutions,
    replayMismatches: r.duplicates.replayMismatches + r.duplicates.unexplainedDifferences,
    replaysCompared: r.duplicates.replaysCompared + r.duplicates.pairsCompared,
    thresholds: thresholdRows,
    latency: { intended: r.stats.summaries('latency'), service: r.stats.summaries('service') },
  };
  if (r.stoppedEarly) fig.stoppedEarly = r.stoppedEarly;
  if (r.targetRate !== undefined) fig.targetRate = Math.round(r.targetRate * 10) / 10;
  if (r.planned !== undefined) fig.planned = r.planned;
  if (r.late !== undefined) fig.late = r.late;
  if (r.workers !== undefined && r.workers > 1) fig.workers = r.workers;
  if (r.shard) fig.shard = { ...r.shard, keyPrefix: r.keyPrefix };
  if (r.maxLagMs !== undefined) fig.maxLagMs = Math.round(r.maxLagMs * 10) / 10;
  return fig;
}
