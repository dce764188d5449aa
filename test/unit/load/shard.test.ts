// Sharding, the pure parts: a shard's slots of the one schedule, the split of connections, the
// "i/n" syntax, and report --merge's check that the shards of one run are complete and compatible.
import { describe, expect, it } from 'vitest';
import { shareOf } from '../../../src/checks/load/plan.js';
import { constantRate, rampingRate, shardSchedule } from '../../../src/engine/load/schedule.js';
import { UsageError } from '../../../src/core/errors.js';
import type { LoadRunReport, Report } from '../../../src/report/model.js';
import { checkShards } from '../../../src/report/shards.js';
import { parseShard } from '../../../src/scenario/check-options/load.js';

describe('shardSchedule', () => {
  it('n shards send exactly the slots of the whole schedule, at their intended times', () => {
    for (const whole of [
      constantRate(100, 1000),
      rampingRate(0, [
        { target: 200, durationMs: 1000 },
        { target: 50, durationMs: 500 },
      ]),
    ]) {
      const n = 3;
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const s = shardSchedule(whole, i, n);
        for (let k = 0; k < s.total; k++) times.push(s.at(k));
        expect(s.meanRate).toBeCloseTo(whole.meanRate / n, 9);
        expect(s.dueBy(whole.durationMs)).toBe(s.total);
      }
      const all = Array.from({ length: whole.total }, (_, k) => whole.at(k));
      expect(times.sort((a, b) => a - b)).toEqual(all);
    }
    expect(shardSchedule(constantRate(100, 1000), 0, 1)).toBeTypeOf('object');
    expect(shardSchedule(constantRate(1, 1000), 1, 2).total).toBe(0);
  });

  it('splits connections with the remainder on the first shards, and parses i/n', () => {
    expect([0, 1, 2].map((index) => shareOf(50, { index, count: 3 }))).toEqual([17, 17, 16]);
    expect(shareOf(50, undefined)).toBe(50);
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard('3/3')).toBeUndefined();
    expect(parseShard('1/0')).toBeUndefined();
    expect(parseShard('a/b')).toBeUndefined();
  });
});

describe('checkShards', () => {
  const shardReport = (index: number, count: number, over: Partial<LoadRunReport> = {}, seed = 's'): Report =>
    ({
      seed,
      load: {
        ep: {
          executor: 'constant-arrival-rate',
          targetRate: 10,
          durationMs: 1000,
          shard: { index, count, keyPrefix: `p-${index}.` },
          ...over,
        } as LoadRunReport,
      },
    }) as unknown as Report;

  it('accepts a complete set and refuses missing, repeated or foreign shards', () => {
    expect(() => checkShards([0, 1, 2].map((i) => shardReport(i, 3)))).not.toThrow();
    expect(() => checkShards([shardReport(0, 3), shardReport(2, 3)])).toThrow(/shard 1\/3 missing/);
    expect(() => checkShards([shardReport(0, 2), shardReport(0, 2)])).toThrow(/given more than once/);
    expect(() => checkShards([shardReport(0, 2), shardReport(1, 2, {}, 'other')])).toThrow(/differ in seed/);
    expect(() => checkShards([shardReport(0, 2), shardReport(1, 2, { targetRate: 20 })])).toThrow(/differ in target rate/);
    expect(() => checkShards([shardReport(0, 2), shardReport(1, 3)])).toThrow(/differ in shard count/);
    expect(() => checkShards([shardReport(0, 2), { seed: 's', load: { ep: { executor: 'constant-arrival-rate' } } } as unknown as Report])).toThrow(UsageError);
    // Reports without shards merge as before.
    expect(() => checkShards([{ seed: 'a' } as unknown as Report, { seed: 'b' } as unknown as Report])).not.toThrow();
  });
});
