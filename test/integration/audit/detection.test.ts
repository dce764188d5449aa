// The audit's own correctness: each flaw of the reference server is caught by the check that
// targets it, at the level the catalogue promises, and the correct server raises no false alarm.
import { afterEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/engine/run.js';
import { startReferenceServer } from '../../../src/reference/index.js';
import type { Report } from '../../../src/report/model.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function audit(flaws: string[], seed = 'detect'): Promise<Report> {
  const server = await startReferenceServer({ port: 0, flaws });
  servers.push(server);
  const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
  return runAudit(scenario, { target: server.url, seed, scenarioFile: 'scenarios/reference.yaml' });
}

const failed = (r: Report) => r.results.filter((x) => x.verdict === 'fail' || x.verdict === 'error');

describe('detection matrix (memory store)', () => {
  it('the correct server passes three consecutive audits with zero failed results', async () => {
    for (const seed of ['a', 'b', 'c']) {
      const report = await audit([], seed);
      expect(failed(report)).toEqual([]);
      expect(report.summary.verdict).toBe('pass');
    }
  });

  const matrix: Array<[flaw: string, check: string, level: 'violation' | 'deviation']> = [
    ['race', 'concurrent-duplicates', 'violation'],
    ['no-inflight', 'concurrent-duplicates', 'violation'],
    ['no-fingerprint', 'payload-mismatch', 'violation'],
    ['poison', 'payload-mismatch', 'violation'],
    ['no-tenant-scope', 'cross-tenant', 'violation'],
    ['no-key-required', 'missing-key', 'violation'],
    ['regenerate', 'sequential-replay', 'violation'],
    ['header-drop', 'sequential-replay', 'deviation'],
  ];

  it.each(matrix)('flaw %s is caught by %s as a %s', async (flaw, check, level) => {
    const report = await audit([flaw]);
    expect(report.summary.verdict).toBe('fail');
    const hit = report.results.find((r) => r.check === check && r.verdict === 'fail' && r.level === level);
    expect(hit, JSON.stringify(failed(report).map((r) => [r.check, r.level, r.message]))).toBeDefined();
    expect(hit!.evidence.length).toBeGreaterThan(0);
  });
});
