// From a load run to the report: the check's judgement, lifting figures and histograms into the
// report, the terminal table, .hgrm files, and merging runs from several machines.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeLoad, LoadOptions, type OracleFigures } from '../../../src/checks/load/index.js';
import { LoadEngine } from '../../../src/engine/load/engine.js';
import { attachLoadOutcome, renderLoadTable, writeHistogramFiles } from '../../../src/report/load-results.js';
import type { LoadOptions as EngineOptions, LoadResult } from '../../../src/engine/load/types.js';
import { summarizeEncoded } from '../../../src/metrics/histogram.js';
import { parseThresholds } from '../../../src/metrics/thresholds.js';
import { getProfile } from '../../../src/profiles/index.js';
import { mergeReports } from '../../../src/report/merge.js';
import { SCHEMA_VERSION, summarize, type LoadOutcome, type Report } from '../../../src/report/model.js';
import { FakeClock, FakeTransport, idempotentServer, template } from './fakes.js';

const profile = getProfile('ietf-07');

async function loadRun(opts: { flawed?: boolean; rate?: number; seed?: string } = {}): Promise<LoadResult> {
  const clock = new FakeClock();
  const server = idempotentServer(clock, { work: 20, ...(opts.flawed ? { flawed: true } : {}) });
  const options: EngineOptions = {
    template: template(),
    executor: { name: 'constant-arrival-rate', rate: opts.rate ?? 200, durationMs: 2000, connections: 10, maxInFlight: 1000 },
    maxRequests: 100_000,
    timeoutMs: 5000,
    duplicates: 0.2,
    inFlightDuplicates: 0.5,
    seed: opts.seed ?? 's',
    statuses: { inFlight: [409], mismatch: [422] },
    identity: '/id',
  };
  const p = new LoadEngine(options, new FakeTransport(clock, server.answer), clock).run();
  clock.run();
  return p;
}

/** The report runAudit would assemble: the first finding's load outcome attached. */
function withLoad(report: Report & { pending?: LoadOutcome }): Report {
  const { pending, ...rest } = report;
  return pending ? attachLoadOutcome(rest, 'pay', pending) : rest;
}

function reportOf(
  result: LoadResult,
  thresholds: string[],
  oracles?: OracleFigures,
  startedAt = '2026-11-22T10:00:00.000Z',
): Report & { pending?: LoadOutcome } {
  const findings = judgeLoad({
    result,
    oracles: oracles ?? { identity: result.duplicates.identityDuplicates },
    oracleAvailable: true,
    thresholds: parseThresholds(thresholds).thresholds,
    profile,
  });
  const results = findings.map((f) => ({
    check: 'load',
    endpoint: 'pay',
    verdict: f.verdict,
    level: f.level,
    message: f.message,
    reference: f.reference,
    evidence: [],
    ...(f.facts ? { facts: structuredClone(f.facts) } : {}),
  }));
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'idemaudit', version: 'test' },
    scenario: { name: 'load' },
    endpoints: [{ name: 'pay', method: 'POST', path: '/payments', risk: 'high', keyRequired: 'expected' }],
    target: 'http://fake.test',
    profile: 'ietf-07',
    seed: 's',
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 5000).toISOString(),
    durationMs: 5000,
    summary: summarize(results, 'deviation'),
    results,
    latency: {},
    exchanges: [],
    exchangesDropped: 0,
    ...(findings[0]?.load ? { pending: findings[0].load } : {}),
  };
}

describe('judgeLoad', () => {
  it('passes a correct server and turns every threshold into a result', async () => {
    const r = await loadRun();
    const findings = judgeLoad({
      result: r,
      oracles: { identity: 0, ledgerKeys: 0 },
      oracleAvailable: true,
      thresholds: parseThresholds(['p99 < 250ms', 'duplicate_executions == 0', 'conflict_rate < 1%', 'rate >= 95%']).thresholds,
      profile,
    });
    expect(findings.map((f) => [f.verdict, f.level])).toEqual([
      ['pass', 'violation'],
      ['pass', 'deviation'],
      ['pass', 'violation'],
      ['fail', 'deviation'],
      ['pass', 'deviation'],
    ]);
    expect(findings[0]!.message).toMatch(/zero duplicate executions \(identity, ledgerKeys\)/);
    expect(findings[3]!.message).toMatch(/^threshold conflict_rate < 1%: conflict_rate = \d+(\.\d+)?% -> breached$/);
    const load = findings[0]!.load!;
    expect(load.figures.duplicateExecutions).toBe(0);
    expect(load.figures.latency.intended.all!.count).toBe(r.completed);
    expect(summarizeEncoded(load.histograms.first!.intended).count).toBe(r.stats.count('first'));
    expect((findings[0]!.facts as { load: { duplicateExecutions: number } }).load.duplicateExecutions).toBe(0);
  });

  it('fails a racy server as a violation, with the pairs as concurrent evidence', async () => {
    const r = await loadRun({ flawed: true });
    const [first] = judgeLoad({ result: r, oracles: { identity: r.duplicates.identityDuplicates }, oracleAvailable: true, thresholds: [], profile });
    expect(first).toMatchObject({ verdict: 'fail', level: 'violation', concurrent: true });
    expect(first!.message).toMatch(new RegExp(`${r.kinds.inflight} duplicate executions under load \\(identity ${r.kinds.inflight}\\)`));
    expect(first!.exchanges).toHaveLength(6);
  });

  it('cannot count executions without an oracle: skip, not pass', async () => {
    const r = await loadRun();
    const [first, t] = judgeLoad({
      result: r,
      oracles: {},
      oracleAvailable: false,
      thresholds: parseThresholds(['duplicate_executions == 0']).thresholds,
      profile,
    });
    expect(first).toMatchObject({ verdict: 'skip', level: 'violation' });
    expect(t).toMatchObject({ verdict: 'skip', level: 'violation' });
  });
});

describe('LoadOptions', () => {
  const issues = (raw: unknown): string[] => {
    const p = LoadOptions.safeParse(raw);
    return p.success ? [] : p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('accepts each executor with its own settings and durations as text', () => {
    expect(LoadOptions.parse({ rate: 100, duration: '5s' })).toMatchObject({ executor: 'constant-arrival-rate', rate: 100, duration: 5000, duplicates: 0.2 });
    expect(LoadOptions.parse({ executor: 'ramping-arrival-rate', stages: [{ target: 100, duration: '2s' }] }).stages).toEqual([
      { target: 100, duration: 2000 },
    ]);
    expect(LoadOptions.parse({ executor: 'constant-connections', connections: 8 })).toMatchObject({ connections: 8 });
  });

  it('names every problem with its path, thresholds with their column', () => {
    expect(issues({})).toEqual(['rate: constant-arrival-rate needs a rate (requests per second)']);
    expect(issues({ executor: 'constant-connections', rate: 5 })).toEqual(['rate: constant-connections is a closed model without a rate: set connections']);
    expect(issues({ executor: 'ramping-arrival-rate' })).toEqual(['stages: ramping-arrival-rate needs stages: [{ target, duration }]']);
    expect(issues({ rate: 10, duplicates: 0.6, inFlightDuplicates: 1 })[0]).toMatch(/^inFlightDuplicates: .*needs its own original/);
    expect(issues({ rate: 10, thresholds: ['p99 < 1s', 'p99 < 9xs'] })).toEqual([
      `thresholds.1: "p99 < 9xs": unknown unit 'xs' (use us, ms, s or %) at column 8`,
    ]);
    expect(issues({ rate: 10, bogus: 1 })[0]).toMatch(/bogus/);
  });
});

describe('load results in the report', () => {
  it('attachLoadOutcome puts figures and histograms in the report and fills latency from them', async () => {
    const r = await loadRun();
    const report = withLoad(reportOf(r, ['p99 < 250ms']));
    expect(report.load?.pay).toMatchObject({ executor: 'constant-arrival-rate', sent: r.sent, targetRate: 200 });
    expect(Object.keys(report.histograms!.pay!)).toEqual(expect.arrayContaining(['first', 'replay', 'conflict']));
    expect(report.latency.pay!.first!.count).toBe(r.stats.count('first'));
    const table = renderLoadTable(report);
    expect(table).toMatch(/load pay \[constant-arrival-rate\]: 200 req\/s achieved of 200 target/);
    expect(table).toMatch(/p99\.9/);
    expect(table).toMatch(/latency \(ms\) from intended start/);
    expect(table).toMatch(/^ +all +\d+ +[\d.]+ +[\d.]+ /m);
    expect(table).toMatch(/^ +service time +\d+ /m);
    expect(table).toMatch(/✓ p99 < 250ms: p99 = /);
  });

  it('writes .hgrm files beside the JSON report, in milliseconds', async () => {
    const report = withLoad(reportOf(await loadRun(), []));
    const dir = mkdtempSync(path.join(tmpdir(), 'idemaudit-hgrm-'));
    const written = await writeHistogramFiles(report, path.join(dir, 'load-1.json'));
    expect(written.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining(['load-1.pay.all.hgrm', 'load-1.pay.first.hgrm', 'load-1.pay.first.service.hgrm', 'load-1.pay.conflict.hgrm']),
    );
    expect(readdirSync(dir)).toHaveLength(written.length);
    expect(readFileSync(path.join(dir, 'load-1.pay.first.hgrm'), 'utf8')).toMatch(/^\s+2\d\.\d+ /m); // first executions take ~20 ms
  });

  it('mergeReports adds histograms, recomputes latency and figures, concatenates results', async () => {
    const a = withLoad(reportOf(await loadRun({ seed: 'a' }), ['p99 < 250ms']));
    const b = withLoad(reportOf(await loadRun({ seed: 'b', flawed: true, rate: 100 }), ['p99 < 250ms'], undefined, '2026-11-22T10:00:02.000Z'));
    const m = mergeReports([a, b]);
    expect(m.results).toHaveLength(a.results.length + b.results.length);
    expect(m.summary.verdict).toBe('fail');
    expect(m.startedAt).toBe(a.startedAt);
    expect(m.finishedAt).toBe(b.finishedAt);
    expect(m.durationMs).toBe(7000);
    const la = a.load!.pay!;
    const lb = b.load!.pay!;
    expect(m.load!.pay).toMatchObject({
      runs: 2,
      sent: la.sent + lb.sent,
      completed: la.completed + lb.completed,
      targetRate: 300,
      mix: { fresh: la.mix.fresh + lb.mix.fresh, replay: la.mix.replay + lb.mix.replay, inflight: la.mix.inflight + lb.mix.inflight },
      duplicateExecutions: (la.duplicateExecutions ?? 0) + (lb.duplicateExecutions ?? 0),
    });
    expect(m.load!.pay!.thresholds).toHaveLength(2);
    for (const o of ['first', 'replay'] as const) {
      expect(m.latency.pay![o]!.count).toBe(a.latency.pay![o]!.count + b.latency.pay![o]!.count);
      expect(summarizeEncoded(m.histograms!.pay![o]!.service).count).toBe(m.latency.pay![o]!.count);
    }
    expect(m.load!.pay!.latency.intended.all!.count).toBe(m.load!.pay!.completed);
    expect(m.load!.pay!.conflictRate).toBeCloseTo((m.load!.pay!.outcomes.conflict ?? 0) / m.load!.pay!.completed, 9);
    expect(mergeReports([a])).toBe(a);
    expect(() => mergeReports([])).toThrow(/at least one/);
  });
});
