// Worker threads, the pure parts: the histograms of several workers merged equal one histogram of
// all the samples (every percentile, count, min, max, mean), the merge of counts, late sends,
// evidence and samples, the split of a run across workers (the slots of the schedule, connections
// and caps add up to the whole, also inside a shard), and the --workers values.
import { describe, expect, it } from 'vitest';
import { workersArg } from '../../../src/cli/commands/load.js';
import { createRng } from '../../../src/core/rng.js';
import type { Exchange } from '../../../src/core/exchange.js';
import { scheduleFor } from '../../../src/engine/load/executors.js';
import { mergeSamples, mergeWorkerShares, type WorkerShare } from '../../../src/engine/load/merge-results.js';
import type { PortableLoadOptions } from '../../../src/engine/load/portable.js';
import { shardSchedule } from '../../../src/engine/load/schedule.js';
import { LoadStats, OUTCOME_ORDER } from '../../../src/engine/load/stats.js';
import type { LoadResult } from '../../../src/engine/load/types.js';
import { effectiveWorkers, resolveWorkers, workerOptions } from '../../../src/engine/load/workers.js';
import { LoadOptions } from '../../../src/scenario/check-options/load.js';

/** n latencies (ms) over six orders of magnitude, each with an outcome index. */
function samples(n: number, seed: string): Array<{ outcome: number; latency: number; service: number }> {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const latency = Math.pow(10, rng.next() * 6 - 2); // 0.01 ms .. 10 s
    return { outcome: Math.floor(rng.next() * 4), latency, service: latency * rng.next() };
  });
}

const PERCENTILES = [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100];

function baseResult(over: Partial<Omit<LoadResult, 'stats'>> = {}): Omit<LoadResult, 'stats'> {
  return {
    executor: 'constant-arrival-rate',
    connections: 4,
    durationMs: 1000,
    elapsedMs: 1000,
    sent: 0,
    completed: 0,
    dropped: 0,
    capped: false,
    aborted: false,
    kinds: { fresh: 0, replay: 0, inflight: 0 },
    statuses: {},
    errors: {},
    keyPrefix: 'p-w0.',
    keys: 0,
    duplicates: { replaysCompared: 0, pairsCompared: 0, identityDuplicates: 0, replayMismatches: 0, unexplainedDifferences: 0 },
    evidence: { identity: [], mismatch: [], unexplained: [] },
    samples: [],
    duplicatedKeys: [],
    ...over,
  };
}

const exchange = (seq: number, key: string): Exchange => ({
  seq,
  label: 'load: fresh key',
  endpoint: 'ep',
  key,
  request: { method: 'POST', url: 'http://x/', headers: {} },
  startedAt: 0,
  durationMs: 1,
});

describe('merged worker histograms', () => {
  it('equal one histogram of all the samples, exactly, for every outcome and for all', () => {
    const all = samples(20_000, 'hist');
    const single = new LoadStats();
    const parts = [new LoadStats(), new LoadStats(), new LoadStats()];
    all.forEach((s, i) => {
      single.record(s.outcome, s.latency, s.service);
      // Uneven shares, as workers of a real run would have.
      parts[i % 7 < 4 ? 0 : i % 7 < 6 ? 1 : 2]!.record(s.outcome, s.latency, s.service);
    });
    const merged = new LoadStats();
    for (const p of parts) merged.add(p.encode(), p.extremes());
    expect(merged.counts).toEqual(single.counts);
    expect(merged.completed).toBe(20_000);
    for (const source of ['latency', 'service'] as const) {
      for (const outcome of [...OUTCOME_ORDER.slice(0, 4), 'all' as const]) {
        const a = single.histogram(source, outcome)!;
        const b = merged.histogram(source, outcome)!;
        expect(b.totalCount).toBe(a.totalCount);
        for (const p of PERCENTILES) expect(b.getValueAtPercentile(p), `${source} ${outcome} p${p}`).toBe(a.getValueAtPercentile(p));
        expect(b.maxValue).toBe(a.maxValue);
        expect(b.minNonZeroValue).toBe(a.minNonZeroValue);
        expect(b.mean).toBe(a.mean);
      }
      expect(merged.summaries(source)).toEqual(single.summaries(source));
    }
    for (const s of [single, merged, ...parts]) s.destroy();
  });

  it('mergeWorkerShares adds counts, late sends, outcomes and keeps evidence bounded', () => {
    const mk = (w: number, n: number): WorkerShare => {
      const stats = new LoadStats();
      for (let i = 0; i < n; i++) stats.record(i % 2, 5 + i, 4);
      const ex = (seq: number): Exchange => exchange(seq, `p-w${w}.${seq}`);
      const share: WorkerShare = {
        result: baseResult({
          sent: n,
          completed: n,
          dropped: w,
          late: 3,
          maxLagMs: 10 * (w + 1),
          targetRate: 50,
          planned: n + w,
          kinds: { fresh: n - 2, replay: 1, inflight: 1 },
          statuses: { '201': n - 1, '409': 1 },
          errors: w === 0 ? { ECONNRESET: 2 } : { ECONNRESET: 1, ETIMEDOUT: 1 },
          keyPrefix: `p-w${w}.`,
          keys: n - 2,
          duplicates: { replaysCompared: 1, pairsCompared: 1, identityDuplicates: 2, replayMismatches: 0, unexplainedDifferences: 0 },
          evidence: {
            identity: [
              [ex(1), ex(2)],
              [ex(3), ex(4)],
            ],
            mismatch: [],
            unexplained: [],
          },
          samples: [ex(1), ex(2), ex(3)],
          duplicatedKeys: [`p-w${w}.1`],
          elapsedMs: 1000 + w,
          stoppedEarly: w === 1 ? 'bail-out: too many errors' : undefined,
        }),
        stats: stats.encode(),
        extremes: stats.extremes(),
        samplesSeen: n,
        duplicatedKeysSeen: 1,
      };
      if (w !== 1) delete share.result.stoppedEarly;
      stats.destroy();
      return share;
    };
    const r = mergeWorkerShares([mk(0, 10), mk(1, 20)], { connections: 4, keyPrefix: 'p-', sampleSize: 200, duplicatedKeysSize: 16, seed: 's' });
    expect(r).toMatchObject({
      sent: 30,
      completed: 30,
      dropped: 1,
      late: 6,
      maxLagMs: 20,
      targetRate: 100,
      planned: 31,
      keys: 26,
      workers: 2,
      keyPrefix: 'p-',
      connections: 4,
      elapsedMs: 1001,
      kinds: { fresh: 26, replay: 2, inflight: 2 },
      statuses: { '201': 28, '409': 2 },
      errors: { ECONNRESET: 3, ETIMEDOUT: 1 },
      duplicates: { replaysCompared: 2, pairsCompared: 2, identityDuplicates: 4 },
    });
    expect(r.stoppedEarly).toBe('worker 2 of 2: bail-out: too many errors');
    expect(r.stats.completed).toBe(30);
    expect(r.stats.count('first')).toBe(15);
    // Three pairs at most, as one engine keeps.
    expect(r.evidence.identity).toHaveLength(3);
    expect(r.samples).toHaveLength(6);
    // Exchanges renumbered to the runner's slots: worker w of W sent slots w, w + W, ...
    expect(new Set(r.samples.map((e) => e.seq)).size).toBe(6);
    expect(r.samples.filter((e) => e.key!.startsWith('p-w1.')).map((e) => e.seq)).toEqual([2, 4, 6]);
    expect(r.duplicatedKeys.sort()).toEqual(['p-w0.1', 'p-w1.1']);
    r.stats.destroy();
  });

  it('mergeSamples draws each part in proportion to what it saw', () => {
    const rng = createRng('m');
    let fromBig = 0;
    for (let t = 0; t < 200; t++) {
      const picked = mergeSamples(
        [
          { items: Array.from({ length: 10 }, (_, i) => `a${i}`), seen: 900 },
          { items: Array.from({ length: 10 }, (_, i) => `b${i}`), seen: 100 },
        ],
        10,
        () => rng.next(),
      );
      expect(picked).toHaveLength(10);
      fromBig += picked.filter((x) => x.startsWith('a')).length;
    }
    // 90% expected; weighted sampling without replacement from 10 + 10 bounds it below 100%.
    expect(fromBig / 2000).toBeGreaterThan(0.75);
    expect(fromBig / 2000).toBeLessThan(1);
    expect(
      mergeSamples(
        [
          { items: [1, 2], seen: 2 },
          { items: [3], seen: 1 },
        ],
        10,
        Math.random,
      ),
    ).toEqual([1, 2, 3]);
  });
});

describe('splitting a run across workers', () => {
  const options = (over: Partial<PortableLoadOptions> = {}): PortableLoadOptions => ({
    template: {
      endpoint: 'ep',
      origin: 'http://127.0.0.1:1',
      path: '/',
      method: 'POST',
      headers: [],
      keyHeader: 'idempotency-key',
      keyFormat: 'sf-string',
      body: { kind: 'none' },
    },
    executor: { name: 'constant-arrival-rate', rate: 1000, durationMs: 1000, connections: 50, maxInFlight: 2000 },
    maxRequests: 1001,
    timeoutMs: 1000,
    duplicates: 0.2,
    inFlightDuplicates: 0.5,
    seed: 's',
    statuses: { inFlight: [409], mismatch: [422] },
    ...over,
  });

  it('divides connections, the in-flight cap and the request cap with nothing lost', () => {
    const parts = [0, 1, 2].map((i) => workerOptions(options(), i, 3));
    const sum = (f: (o: PortableLoadOptions) => number): number => parts.reduce((n, o) => n + f(o), 0);
    expect(sum((o) => o.executor.connections)).toBe(50);
    expect(sum((o) => (o.executor.name === 'constant-connections' ? 0 : o.executor.maxInFlight))).toBe(2000);
    expect(sum((o) => o.maxRequests)).toBe(1001);
    expect(parts.map((o) => o.worker)).toEqual([0, 1, 2].map((index) => ({ index, count: 3 })));
    // Never more workers than connections or requests: each needs one of both.
    expect(effectiveWorkers(options({ maxRequests: 2 }), 8)).toBe(2);
    expect(effectiveWorkers(options({ executor: { name: 'constant-connections', connections: 3, durationMs: 1000 } }), 8)).toBe(3);
    expect(effectiveWorkers(options(), 4)).toBe(4);
  });

  it('the workers of every shard send each slot of the schedule exactly once, at its time', () => {
    const whole = scheduleFor({ name: 'constant-arrival-rate', rate: 300, durationMs: 1000, connections: 1, maxInFlight: 1 })!;
    const times: number[] = [];
    for (let shard = 0; shard < 2; shard++) {
      const runner = shardSchedule(whole, shard, 2);
      for (let w = 0; w < 3; w++) {
        const s = shardSchedule(runner, w, 3);
        for (let k = 0; k < s.total; k++) times.push(s.at(k));
      }
    }
    expect(times.sort((a, b) => a - b)).toEqual(Array.from({ length: whole.total }, (_, k) => whole.at(k)));
  });
});

describe('--workers values', () => {
  it('auto is one per core but one, at least one', () => {
    expect(resolveWorkers('auto', 2)).toBe(1);
    expect(resolveWorkers('auto', 1)).toBe(1);
    expect(resolveWorkers('auto', 8)).toBe(7);
    expect(resolveWorkers('auto', 500)).toBe(64);
    expect(resolveWorkers(3, 2)).toBe(3);
    expect(resolveWorkers('auto')).toBeGreaterThanOrEqual(1);
  });

  it('accepts 1..64 and auto, refuses the rest with a clear message', () => {
    expect(workersArg('2')).toBe(2);
    expect(workersArg('auto')).toBe('auto');
    expect(workersArg('AUTO')).toBe('auto');
    for (const bad of ['0', '-1', 'x', '1.5', '', '65']) expect(() => workersArg(bad), bad).toThrow(/worker threads from 1 to 64, or 'auto'/);
    expect(LoadOptions.safeParse({ rate: 10, workers: 'auto' }).success).toBe(true);
    expect(LoadOptions.safeParse({ rate: 10, workers: 0 }).success).toBe(false);
    expect(LoadOptions.safeParse({ rate: 10, workers: 'many' }).success).toBe(false);
  });
});
