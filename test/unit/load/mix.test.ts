// The traffic mix: declared ratios hold in the long run, the draw is deterministic per seed.
import { describe, expect, it } from 'vitest';
import { TrafficMix, mixProblem, type SlotKind } from '../../../src/engine/load/mix.js';
import { Reservoir } from '../../../src/engine/load/reservoir.js';
import { createRng } from '../../../src/core/rng.js';

function tally(d: number, f: number, n: number, seed = 's'): Record<SlotKind, number> {
  const rng = createRng(seed);
  const mix = new TrafficMix({ duplicates: d, inFlight: f }, () => rng.next());
  const out: Record<SlotKind, number> = { fresh: 0, replay: 0, inflight: 0 };
  let prev: SlotKind = 'replay';
  let orphans = 0;
  for (let i = 0; i < n; i++) {
    const k = mix.next();
    if (k === 'inflight' && prev !== 'fresh') orphans += 1;
    out[k] += 1;
    prev = k;
  }
  // An in-flight duplicate always directly follows its original.
  expect(orphans).toBe(0);
  return out;
}

describe('TrafficMix', () => {
  it.each([
    [0.2, 0.5],
    [0.5, 0.3],
    [0.4, 1],
    [0.1, 0],
  ])('duplicates %s with in-flight share %s: the stationary fractions match', (d, f) => {
    const n = 200_000;
    const t = tally(d, f, n);
    expect(t.fresh / n).toBeCloseTo(1 - d, 2);
    expect(t.inflight / n).toBeCloseTo(d * f, 2);
    expect(t.replay / n).toBeCloseTo(d * (1 - f), 2);
  });

  it('sends only fresh keys without duplicates', () => {
    expect(tally(0, 0.5, 1000)).toEqual({ fresh: 1000, replay: 0, inflight: 0 });
  });

  it('is deterministic for a seed and peek() does not consume', () => {
    const a = createRng('x');
    const b = createRng('x');
    const m1 = new TrafficMix({ duplicates: 0.3, inFlight: 0.5 }, () => a.next());
    const m2 = new TrafficMix({ duplicates: 0.3, inFlight: 0.5 }, () => b.next());
    const s1: SlotKind[] = [];
    const s2: SlotKind[] = [];
    for (let i = 0; i < 500; i++) {
      const peeked = m1.peek();
      const got = m1.next();
      expect(got).toBe(peeked);
      s1.push(got);
      s2.push(m2.next());
    }
    expect(s1).toEqual(s2);
  });

  it('explains ratios it cannot honour', () => {
    expect(mixProblem({ duplicates: 0.6, inFlight: 1 })).toMatch(/each in-flight duplicate needs its own original/);
    expect(mixProblem({ duplicates: 1, inFlight: 0 })).toMatch(/below 1/);
    expect(mixProblem({ duplicates: -0.1, inFlight: 0 })).toMatch(/between 0 and 1/);
    expect(mixProblem({ duplicates: 0.5, inFlight: 1 })).toBeUndefined();
    expect(() => new TrafficMix({ duplicates: 0.9, inFlight: 1 }, Math.random)).toThrow(RangeError);
  });
});

describe('Reservoir', () => {
  it('keeps at most its capacity and samples uniformly', () => {
    const rng = createRng('r');
    const hits = new Array(10).fill(0) as number[];
    for (let round = 0; round < 2000; round++) {
      const r = new Reservoir<number>(3, () => rng.next());
      for (let i = 0; i < 10; i++) r.offer(i);
      expect(r.items()).toHaveLength(3);
      for (const i of r.items()) hits[i]! += 1;
    }
    for (const h of hits) expect(h / 2000).toBeCloseTo(0.3, 1);
  });
});
