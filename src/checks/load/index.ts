// load: sustained traffic at a declared rate (open model) or concurrency (closed model), mixing
// fresh keys with duplicates — replays of completed originals and duplicates fired while their
// original is still in flight. Judged on: zero duplicate executions under load (ledger summary,
// identity ids of every compared duplicate, per-key oracles for a sample of duplicated keys),
// replays that match their originals, and the scenario's thresholds (k6-like, on latency from the
// intended start, error and conflict rates, achieved rate). See src/engine/load/ for the engine.
//   plan.ts      options -> executor spec          run.ts      I/O (warm-up, ledger, engine, oracles)
//   template.ts  the request, prepared once        judge.ts    findings (pure)
//   metrics.ts   threshold metrics (pure)          figures.ts  the report's load figures (pure)
//   oracles.ts   ledger summary, duplicate count (pure)
import { LoadOptions, type LoadCheckOptions } from '../../scenario/check-options/load.js';
import { defineCheck } from '../api.js';
import { runLoadCheck } from './run.js';

export { LoadOptions, type LoadCheckOptions };
export { executorSpec, peakRate } from './plan.js';
export { parseLedgerSummary, duplicateExecutions, type LedgerSummaryDoc, type OracleFigures } from './oracles.js';
export { achievedRate, loadMetrics } from './metrics.js';
export { loadFigures } from './figures.js';
export { judgeLoad, type LoadJudgeInput } from './judge.js';
export { loadTemplate } from './template.js';

export const load = defineCheck<LoadCheckOptions>({
  id: 'load',
  title: 'Load',
  summary:
    'traffic at a rate (open model) or concurrency (closed) with fresh keys, replays and in-flight duplicates: zero duplicate executions, matching replays, latency thresholds',
  options: LoadOptions,
  declaredOnly: true,
  applies(ctx) {
    // Sustained traffic only when asked for: a scenario that declares no checks runs everything else.
    return 'load' in ctx.scenario.checks ? true : 'load runs only when declared under checks: (it sends sustained traffic)';
  },
  run: runLoadCheck,
});
