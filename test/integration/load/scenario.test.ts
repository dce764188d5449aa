// The bundled scenarios/load.yaml passes against the embedded reference server (target: self).
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/index.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';

describe('scenarios/load.yaml', () => {
  it('passes on target self: every threshold met, zero duplicate executions', async () => {
    const scenario = await loadScenarioFile('scenarios/load.yaml', {});
    const report = await runAudit(scenario, { seed: 'bundled', scenarioFile: 'scenarios/load.yaml' });
    const failed = report.results.filter((r) => r.verdict !== 'pass');
    expect(failed.map((r) => r.message)).toEqual([]);
    expect(report.summary.verdict).toBe('pass');
    const load = report.load!['create-payment']!;
    expect(load.thresholds.length).toBe(8);
    expect(load.sent).toBeGreaterThanOrEqual(1400);
    expect(load.duplicateExecutions).toBe(0);
  }, 20_000);
});
