// The correct reference server passes every chaos check of scenarios/chaos.yaml under every fault,
// with the memory store (target self, as the scenario says) and with Redis; and the history the run
// writes proves that no key executed twice.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import { deriveExecutions } from '../../../src/checks/chaos/derive.js';
import { parseHistory } from '../../../src/engine/history.js';
import { runAudit } from '../../../src/index.js';
import { listFaults } from '../../../src/faults/index.js';
import { createRedisStore } from '../../../src/reference/index.js';
import { startReferenceServer } from '../../../src/demo/index.js';
import type { Report } from '../../../src/report/model.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';
import { deleteKeysByPrefix, uniquePrefix } from '../../helpers/redis.js';

const CHAOS_CHECKS = ['timeout-retry', 'lost-response', 'gateway-duplicate', 'in-flight-recovery', 'store-outage'];
const SCENARIO = 'scenarios/chaos.yaml';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-chaos-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const notPassed = (r: Report) => r.results.filter((x) => x.verdict !== 'pass').map((x) => [x.check, x.endpoint, x.verdict, x.level, x.message]);

// Concurrent tests assert with their own context's expect.
async function expectCleanRun(report: Report, expect: ExpectStatic): Promise<void> {
  expect(notPassed(report)).toEqual([]);
  expect(report.summary.verdict).toBe('pass');
  expect(new Set(report.results.map((r) => r.check))).toEqual(new Set(CHAOS_CHECKS));
  expect(report.results).toHaveLength(CHAOS_CHECKS.length * 2);

  // The history: every attempt as invoke + completion, every fault the proxy injected, oracle reads.
  expect(report.history).toMatchObject({ file: expect.stringMatching(/chaos-\d{8}T\d{6}Z\.history\.jsonl$/), dropped: 0 });
  expect(path.basename(report.history!.file)).toBe(`chaos-${report.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.history.jsonl`);
  const ops = parseHistory(await readFile(report.history!.file, 'utf8'));
  expect(ops).toHaveLength(report.history!.ops);
  expect(ops.map((op) => op.index)).toEqual(ops.map((_, i) => i));
  const types = new Set(ops.map((op) => op.type));
  for (const t of ['invoke', 'ok', 'fail', 'unknown', 'fault']) expect(types, t).toContain(t);
  const invokes = ops.filter((op) => op.type === 'invoke').length;
  const completions = ops.filter((op) => op.type === 'ok' || op.type === 'fail' || op.type === 'unknown').length;
  expect(completions).toBe(invokes);
  // Every built-in fault acted at least once, plus the store outage.
  const injected = new Set(ops.filter((op) => op.type === 'fault').map((op) => op.f));
  expect([...injected].sort()).toEqual([...listFaults().map((f) => f.name), 'store-outage'].sort());

  // Zero duplicate executions, derived from the history alone (client answers plus oracle reads).
  const perKey = deriveExecutions(ops);
  expect(perKey.size).toBeGreaterThan(20);
  const doubled = [...perKey.values()].filter((k) => (k.executions ?? 0) > 1);
  expect(doubled).toEqual([]);
}

describe('scenarios/chaos.yaml against the correct reference server', () => {
  it.concurrent(
    "memory store (target self with the scenario's short lease): every chaos check passes, no key executes twice",
    async ({ expect }) => {
      const scenario = await loadScenarioFile(SCENARIO, {});
      const report = await runAudit(scenario, { seed: 'chaos-memory', scenarioFile: SCENARIO, historyDir: path.join(dir, 'memory') });
      await expectCleanRun(report, expect);
      expect(report.target).toMatch(/^self \(/);
      const recovery = report.results.find((r) => r.check === 'in-flight-recovery')!;
      expect(recovery.facts).toMatchObject({ leaseMs: 1000, leaseSource: 'scenario self.leaseMs', stoppedBy: 'recovered', executions: 1 });
      expect(recovery.facts!.conflictPersistedMs as number).toBeGreaterThan(500);
      const timeout = report.results.find((r) => r.check === 'timeout-retry')!;
      expect(timeout.facts).toMatchObject({ retrySuccess: '2/2', maxExecutions: 1 });
    },
    40_000,
  );

  it.concurrent(
    'Redis store: every chaos check passes, and the ledger has no duplicate',
    async ({ expect }) => {
      const prefix = uniquePrefix('chaos');
      const store = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
      const server = await startReferenceServer({ admin: true, port: 0, store, leaseMs: 1000, processingMs: 100 });
      try {
        const scenario = await loadScenarioFile(SCENARIO, {});
        const report = await runAudit(scenario, { target: server.url, seed: 'chaos-redis', scenarioFile: SCENARIO, historyDir: path.join(dir, 'redis') });
        await expectCleanRun(report, expect);
        expect(report.results.find((r) => r.check === 'in-flight-recovery')!.facts).toMatchObject({ leaseSource: 'lease reported by the target' });
        const res = await request(`${server.url}/_idemaudit/ledger`);
        const summary = (await res.body.json()) as { total: number; duplicates: unknown[] };
        expect(summary.duplicates).toEqual([]);
        expect(summary.total).toBeGreaterThan(20);
      } finally {
        await server.close();
        await deleteKeysByPrefix(store.client, prefix);
        await store.close();
      }
    },
    40_000,
  );
});
