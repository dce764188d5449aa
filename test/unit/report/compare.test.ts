// compareReports as a CI gate: silent between equivalent runs; regressions only for like-with-like
// verdict changes, races hidden behind a falling conflict share, and latency moves beyond both the
// tolerance and the run-to-run noise (confidence intervals from HdrHistograms, n >= 30).
import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, encodeHistogram, recordMs, summarize } from '../../../src/metrics/histogram.js';
import { compareReports } from '../../../src/report/compare.js';
import type { Report } from '../../../src/report/model.js';
import { fixture } from './helpers.js';

/** Deterministic pseudo-normal samples (sum of uniforms from a small LCG). */
function samples(n: number, mean: number, sd: number, seed: number): number[] {
  let s = seed >>> 0;
  const u = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, () => mean + sd * (u() + u() + u() + u() + u() + u() - 3) * Math.SQRT2);
}

/** The passing fixture with the `conflict` outcome of create-payment recorded from these samples. */
function withConflictLatency(values: number[]): Report {
  const report = fixture('passing');
  const h = createLatencyHistogram();
  for (const v of values) recordMs(h, v);
  report.latency['create-payment']!.conflict = summarize(h);
  report.latencyHistograms = { 'create-payment': { conflict: encodeHistogram(h) } };
  h.destroy();
  return report;
}

describe('compareReports: results', () => {
  it('finds nothing between a report and itself', () => {
    for (const name of ['passing', 'failing'] as const) {
      expect(compareReports(fixture(name), fixture(name))).toEqual({ regressions: [], improvements: [], notes: [] });
    }
  });

  it('finds the verdict regressions from the passing to the failing run, most serious first', () => {
    const c = compareReports(fixture('passing'), fixture('failing'));
    expect(c.regressions.map((r) => `${r.kind} ${r.check} ${r.endpoint} ${r.level}`)).toEqual([
      'pass-to-fail concurrent-duplicates create-payment violation',
      'pass-to-fail payload-mismatch create-payment violation',
      'pass-to-fail missing-key create-payment violation',
      'pass-to-fail cross-tenant create-payment violation',
      'pass-to-fail concurrent-duplicates create-refund deviation',
      'pass-to-fail sequential-replay create-payment deviation',
      'pass-to-fail payload-mismatch create-refund deviation',
    ]);
    // The fixtures carry no histograms: latency moves are notes, never regressions.
    expect(c.notes.some((n) => n.text.includes('noise cannot be judged'))).toBe(true);
    expect(c.notes.map((n) => n.text)).toContain('error-replay [create-payment] is new in this report');
    // An error where a pass was is "could not judge", not an improvement or a regression.
    expect(c.notes.some((n) => n.text.startsWith('cross-tenant [create-refund] passed before and could not judge now (error)'))).toBe(true);
  });

  it('lists fixes as improvements in the other direction, and no regression', () => {
    const c = compareReports(fixture('failing'), fixture('passing'));
    expect(c.improvements.filter((i) => i.kind === 'fixed')).toHaveLength(7);
    // More conflicts on create-refund are the fixed race turning copies away: part of the fix.
    expect(c.regressions).toEqual([]);
    expect(c.improvements.find((i) => i.check === 'concurrent-duplicates' && i.endpoint === 'create-refund')?.text).toContain('conflicts 3.3 % -> 65.6 %');
  });

  it('a failure at a higher level is a regression; an inconclusive result is not a fix', () => {
    const a = fixture('failing');
    const b = fixture('failing');
    const refund = b.results.find((r) => r.check === 'concurrent-duplicates' && r.endpoint === 'create-refund')!;
    refund.level = 'violation';
    expect(compareReports(a, b).regressions.map((r) => `${r.kind} ${r.check} ${r.endpoint}`)).toEqual(['worse-level concurrent-duplicates create-refund']);
    const c = fixture('failing');
    (c.results[0] as { verdict: string }).verdict = 'inconclusive';
    const cmp = compareReports(a, c);
    expect(cmp.improvements).toEqual([]);
    expect(cmp.notes.some((n) => n.text.includes('could not judge now (inconclusive)'))).toBe(true);
  });
});

describe('compareReports: conflicts judged with executions', () => {
  it('a race that turns conflicts into executions is one regression, folded into the result change', () => {
    const a = fixture('passing');
    const b = fixture('failing');
    for (const r of [a, b]) r.latency = structuredClone(fixture('passing').latency);
    const pay = b.latency['create-payment']!;
    pay.first!.count = 28; // 9 -> 28 executions
    pay.conflict!.count = 2; // 21 -> 2 conflicts
    const c = compareReports(a, b);
    const mine = c.regressions.filter((r) => r.endpoint === 'create-payment' && r.check === 'concurrent-duplicates');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.text).toContain('duplicates that were turned away now execute');
    expect(c.regressions.filter((r) => r.kind === 'conflicts-to-executions')).toEqual([]);
    expect(c.improvements.filter((r) => r.kind === 'conflict-rate')).toEqual([]);
  });

  it('without a result change the same shift is a regression of its own, never an improvement', () => {
    const a = fixture('passing');
    const b = fixture('passing');
    b.latency['create-payment']!.first!.count = 28;
    b.latency['create-payment']!.conflict!.count = 2;
    const c = compareReports(a, b);
    expect(c.regressions.map((r) => `${r.kind} ${r.endpoint}`)).toEqual(['conflicts-to-executions create-payment']);
    expect(c.improvements).toEqual([]);
  });

  it('a rising conflict share is a regression beyond tolerance and sampling noise only', () => {
    const a = fixture('passing');
    const c = fixture('passing');
    c.latency['create-refund']!.conflict!.count = 120; // 21/32 -> 120/131 of answers
    expect(compareReports(a, c).regressions.map((r) => `${r.kind} ${r.endpoint}`)).toEqual(['conflict-rate create-refund']);
    expect(compareReports(a, c, { conflictTolerance: 0.5 }).regressions).toEqual([]);
    const d = fixture('passing');
    d.latency['create-refund']!.conflict!.count = 24; // 21/32 -> 24/35: within noise
    expect(compareReports(a, d).regressions).toEqual([]);
  });

  it('shares of runs that sent different concurrent bursts (race hunting with more time) are a note, not a regression', () => {
    const sweep = (rows: Array<[copies: number, rounds: number]>) => rows.map(([copies, rounds]) => ({ copies, rounds, executions: { '1': rounds } }));
    const withPlan = (rows: Array<[number, number]>, conflicts: number): Report => {
      const r = fixture('passing');
      r.latency['create-refund']!.conflict!.count = conflicts;
      for (const x of r.results) if (x.check === 'concurrent-duplicates') x.facts = { ...x.facts, sweep: sweep(rows) };
      return r;
    };
    const a = withPlan([[8, 5]], 21);
    const longer = withPlan(
      [
        [8, 5],
        [16, 6],
      ],
      120,
    ); // more and larger bursts: a larger share turned away
    const c = compareReports(a, longer);
    expect(c.regressions).toEqual([]);
    expect(c.notes.map((n) => n.text).join('\n')).toMatch(/different concurrent bursts \(copies x bursts: 8x5 vs 8x5, 16x6\)/);
    // The same plan still judges the same shift.
    expect(compareReports(a, withPlan([[8, 5]], 120)).regressions.map((r) => `${r.kind} ${r.endpoint}`)).toEqual(['conflict-rate create-refund']);
  });
});

describe('compareReports: latency with confidence intervals', () => {
  it('two samples of the same distribution compare silent, seed after seed', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const a = withConflictLatency(samples(60, 2, 0.5, seed));
      const b = withConflictLatency(samples(60, 2, 0.5, seed + 1000));
      expect(compareReports(a, b, { minLatencyDeltaMs: 0 }).regressions).toEqual([]);
    }
  });

  it('a real slowdown beyond tolerance, sampling and run-to-run noise is a regression', () => {
    const history = [1, 2, 3].map((seed) => withConflictLatency(samples(200, 20 + seed, 1, seed)));
    const a = history[0]!;
    const b = withConflictLatency(samples(200, 30, 1, 8));
    const c = compareReports(a, b, { history });
    expect(c.regressions.map((r) => `${r.kind} ${r.endpoint} ${r.outcome}`)).toEqual(['latency create-payment conflict']);
    expect(c.regressions[0]!.text).toMatch(/slower at p50, p90: p90 [\d.]+ ms \[[\d.]+, [\d.]+\] -> .*beyond the p90 of all 3 earlier runs/);
    expect(compareReports(b, a).improvements.map((r) => r.kind)).toEqual(['latency']);
    expect(compareReports(a, b, { history, tolerance: 1 }).regressions).toEqual([]);
    // One earlier run says nothing about run-to-run noise: a note, not a gate.
    const single = compareReports(a, b);
    expect(single.regressions).toEqual([]);
    expect(single.notes.some((n) => n.text.includes('run-to-run noise unknown'))).toBe(true);
    // An earlier run that was as slow puts the change inside the noise.
    const noisy = [...history, withConflictLatency(samples(200, 31, 1, 9))];
    expect(compareReports(a, b, { history: noisy }).regressions).toEqual([]);
  });

  it("too few samples are never judged: the issue's 2.3 ms -> 14 ms p99 on 5 answers", () => {
    const a = withConflictLatency([2.0, 2.1, 2.2, 2.2, 2.3]);
    const b = withConflictLatency([2.0, 2.1, 2.2, 2.3, 14]);
    expect(compareReports(a, b).regressions).toEqual([]);
    const big = withConflictLatency(samples(25, 30, 1, 3));
    expect(compareReports(a, big).regressions).toEqual([]);
    // p50 of 5 answers has 2.5 answers above it: still not judged (minTail 5).
    expect(compareReports(a, big, { minSamples: 5, history: [a, a, a] }).regressions.filter((r) => r.kind === 'latency')).toHaveLength(0);
    expect(compareReports(a, big, { minSamples: 5, minTail: 2, history: [a, a, a] }).regressions.filter((r) => r.kind === 'latency')).toHaveLength(1);
  });

  it('one outlier in a large run is noise, not a p99 regression', () => {
    const a = withConflictLatency(samples(100, 2, 0.3, 11));
    const b = withConflictLatency([...samples(99, 2, 0.3, 12), 40]);
    expect(compareReports(a, b).regressions).toEqual([]);
  });
});
