// compareReports: regressions between runs; none between a report and itself.
import { describe, expect, it } from 'vitest';
import { compareReports } from '../../../src/report/compare.js';
import type { Report } from '../../../src/report/model.js';
import { fixture } from './helpers.js';

describe('compareReports', () => {
  it('finds nothing between a report and itself', () => {
    for (const name of ['passing', 'failing'] as const) {
      expect(compareReports(fixture(name), fixture(name))).toEqual({ regressions: [], improvements: [], notes: [] });
    }
  });

  it('finds the regressions from the passing to the failing run', () => {
    const c = compareReports(fixture('passing'), fixture('failing'));
    const failures = c.regressions.filter((r) => r.kind === 'pass-to-fail' || r.kind === 'new-failure');
    expect(failures.map((r) => `${r.kind} ${r.check} ${r.endpoint} ${r.level}`)).toEqual([
      'pass-to-fail concurrent-duplicates create-payment violation',
      'pass-to-fail payload-mismatch create-payment violation',
      'pass-to-fail missing-key create-payment violation',
      'pass-to-fail cross-tenant create-payment violation',
      'pass-to-fail concurrent-duplicates create-refund deviation',
      'pass-to-fail sequential-replay create-payment deviation',
      'pass-to-fail payload-mismatch create-refund deviation',
    ]);
    const latency = c.regressions.filter((r) => r.kind === 'p99-latency').map((r) => `${r.endpoint} ${r.outcome} ${r.before} -> ${r.after}`);
    expect(latency).toEqual(['create-payment first 53.247 -> 71.9', 'create-refund rejected 0.874 -> 3.1']);
    expect(c.notes.map((n) => n.text)).toContain('error-replay [create-payment] is new in this report');
  });

  it('lists fixes as improvements in the other direction', () => {
    const c = compareReports(fixture('failing'), fixture('passing'));
    expect(c.improvements.filter((i) => i.kind === 'fixed')).toHaveLength(7);
    expect(c.regressions.filter((r) => r.kind !== 'conflict-rate')).toEqual([]);
  });

  it('flags a rising conflict share and a p99 increase beyond the tolerances only', () => {
    const a = fixture('passing');
    const b: Report = fixture('passing');
    const pay = b.latency['create-payment']!;
    pay.first = { ...pay.first!, p99: 53.247 * 1.15 };
    expect(compareReports(a, b).regressions).toEqual([]);
    pay.first = { ...pay.first, p99: 53.247 * 1.3 };
    expect(compareReports(a, b).regressions.map((r) => r.kind)).toEqual(['p99-latency']);
    expect(compareReports(a, b, { tolerance: 0.5 }).regressions).toEqual([]);

    const c = fixture('passing');
    c.latency['create-refund']!.conflict!.count = 60; // 21/32 -> 60/71 of answers
    const conflict = compareReports(a, c).regressions;
    expect(conflict).toHaveLength(1);
    expect(conflict[0]).toMatchObject({ kind: 'conflict-rate', endpoint: 'create-refund' });
    expect(compareReports(a, c, { conflictTolerance: 0.5 }).regressions).toEqual([]);
  });

  it('ignores sub-millisecond p99 noise', () => {
    const a = fixture('passing');
    const b = fixture('passing');
    b.latency['create-payment']!.replay!.p99 = 1.802 * 1.4; // +0.72 ms
    expect(compareReports(a, b).regressions).toEqual([]);
    expect(compareReports(a, b, { minLatencyDeltaMs: 0.5 }).regressions.map((r) => r.kind)).toEqual(['p99-latency']);
  });
});
