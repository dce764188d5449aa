// downstream-failure drives "B fails after committing" through the fault proxy in front of the
// recorder: a one-shot fault (error-after-upstream for `failure: { mode: status }`,
// drop-response-after-upstream for `mode: drop`) reaches the one call under test, B records and
// answers it (201), and the app gets the fault instead. A one-shot no call took (an endpoint that
// never calls B) is disarmed: the checks after it see B answer every call.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';
import { parseHistory } from '../../../src/engine/history.js';
import { runAudit } from '../../../src/audit/run.js';
import type { SelfTargetFactory } from '../../../src/audit/target.js';
import { startReferenceServer } from '../../../src/demo/index.js';
import { MemoryStore } from '../../../src/reference/index.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';

const self: SelfTargetFactory = async (settings) => {
  const store = new MemoryStore();
  const server = await startReferenceServer({
    port: 0,
    admin: true,
    store,
    ...(settings.leaseMs !== undefined ? { leaseMs: settings.leaseMs } : {}),
    ...(settings.processingMs !== undefined ? { processingMs: settings.processingMs } : {}),
    ...(settings.downstream !== undefined ? { downstream: settings.downstream } : {}),
  });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
};

const VARIANTS = [
  {
    failure: { mode: 'status' as const, status: 503 },
    fault: 'error-after-upstream',
    fact: 503,
    message: /committed, then the app got an injected 503 instead of its answer: one side effect/,
  },
  {
    failure: { mode: 'drop' as const, status: 503 },
    fault: 'drop-response-after-upstream',
    fact: 'drop',
    message: /committed, then the app got a reset connection instead of its answer: one side effect/,
  },
];

describe('downstream-failure through the fault proxy', () => {
  it.concurrent.for(VARIANTS)('failure mode $failure.mode: the $fault one-shot reaches only the call under test', async (v, { expect }) => {
    const scenario = await loadScenarioFile('scenarios/services.yaml', {});
    const payment = scenario.endpoints[0]!;
    // A second endpoint that never calls B: the check arms its one-shot there too, and no call takes it.
    scenario.endpoints.push({ ...payment, name: 'create-refund', path: '/refunds', body: { payment: 'pay_demo', amount: 100, reference: 'refund-{{seq}}' } });
    scenario.downstream.processor!.endpoints = ['create-payment', 'create-refund'];
    scenario.downstream.processor!.failure = v.failure;
    delete scenario.targets;
    // downstream-failure first (payment, then refund), then checks whose every call B must answer.
    scenario.checks = { 'downstream-failure': scenario.checks['downstream-failure'], 'sequential-replay': scenario.checks['sequential-replay'] };
    const report = await runAudit(scenario, { seed: `proxy-${v.fault}`, startSelf: self });

    const failure = report.results.filter((r) => r.check === 'downstream-failure');
    const onPayment = failure.find((r) => r.endpoint === 'create-payment')!;
    expect(onPayment.verdict, onPayment.message).toBe('pass');
    expect(onPayment.message).toMatch(v.message);
    // B committed and answered 201; the proxy replaced that answer, so the app answered its client 502.
    // The retry reached B again with the same key (one side effect), and B's answer got through.
    expect(onPayment.facts).toMatchObject({ fault: v.fault, failure: v.fact, effects: 1, injected: { upstreamStatuses: [201] } });
    const calls = (onPayment.facts!.calls as Array<{ answer: unknown }>).map((c) => c.answer);
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls.every((a) => a === 201)).toBe(true);
    expect((onPayment.facts!.appAnswers as unknown[])[0]).toBe(502);
    expect((onPayment.facts!.appAnswers as unknown[]).at(-1)).toBe(201);

    // The refund never calls B: nothing took the one-shot, reported as such...
    const onRefund = failure.find((r) => r.endpoint === 'create-refund')!;
    expect([onRefund.verdict, onRefund.message]).toEqual(['error', expect.stringMatching(/recorded no call/)]);
    // ...and it was disarmed: every later payment reached B and was answered 201, no 5xx, no reset.
    const later = report.results.filter((r) => r.check === 'sequential-replay');
    expect(later.map((r) => [r.endpoint, r.verdict])).toEqual([
      ['create-payment', 'pass'],
      ['create-refund', 'pass'],
    ]);
    const answers = later.flatMap((r) => r.evidence.map((e) => e.response?.status ?? e.error));
    expect(answers.length).toBeGreaterThanOrEqual(4);
    expect(answers.every((s) => s === 201)).toBe(true);
  });

  it.concurrent("the dependency's faults: reach the matching calls of every check (not only downstream-failure's)", async ({ expect }) => {
    const scenario = await loadScenarioFile('scenarios/services.yaml', {});
    scenario.downstream.processor!.faults = [{ name: 'error-after-upstream', probability: 1, status: 500, match: { method: 'POST', path: '/charges' } }];
    delete scenario.targets;
    scenario.checks = { 'sequential-replay': scenario.checks['sequential-replay'] };
    const dir = await mkdtemp(path.join(tmpdir(), 'idemaudit-downstream-history-'));
    try {
      const report = await runAudit(scenario, { seed: 'faults', startSelf: self, historyDir: dir });
      const answers = report.results.flatMap((r) => r.evidence.map((e) => e.response?.status ?? e.error));
      expect(answers.length).toBeGreaterThanOrEqual(1);
      // B committed every charge, then the proxy answered A 500: the demo answers its client 502.
      expect(answers.every((s) => s === 502)).toBe(true);
      // Every injected fault is a line of the chaos history, from the dependency's proxy.
      const ops = parseHistory(await readFile(report.history!.file, 'utf8'));
      const faults = ops.filter((o) => o.type === 'fault');
      expect(faults.length).toBeGreaterThanOrEqual(answers.length);
      expect(faults.every((o) => o.process === 'downstream:processor' && o.f === 'error-after-upstream')).toBe(true);
      expect(faults.every((o) => o.upstreamStatuses?.[0] === 201)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
