// Arrival schedules are pure: the intended start of request i for a rate or a ramp.
import { describe, expect, it } from 'vitest';
import { constantRate, rampingRate } from '../../../src/engine/load/schedule.js';

describe('constantRate', () => {
  it('spaces requests 1000/rate ms apart and holds rate x duration requests', () => {
    const s = constantRate(200, 1000);
    expect(s.total).toBe(200);
    expect(s.at(0)).toBe(0);
    expect(s.at(1)).toBe(5);
    expect(s.at(199)).toBe(995);
    expect(s.meanRate).toBe(200);
  });

  it('rounds the request count up only for a partial interval, never for float noise', () => {
    expect(constantRate(3, 1000).total).toBe(3);
    expect(constantRate(0.5, 3000).total).toBe(2); // at 0 and 2000 ms
    expect(constantRate(1000 / 3, 3000).total).toBe(1000);
  });

  it('dueBy counts requests a perfect generator has sent by a time', () => {
    const s = constantRate(100, 1000);
    expect(s.dueBy(-1)).toBe(0);
    expect(s.dueBy(0)).toBe(1);
    expect(s.dueBy(9.99)).toBe(1);
    expect(s.dueBy(10)).toBe(2);
    expect(s.dueBy(5000)).toBe(100);
  });

  it('rejects a rate or duration that is not positive', () => {
    expect(() => constantRate(0, 1000)).toThrow(/rate/);
    expect(() => constantRate(10, 0)).toThrow(/duration/);
  });
});

describe('rampingRate', () => {
  it('holds the integral of a linear ramp: 0 -> 100 req/s over 1 s is 50 requests', () => {
    const s = rampingRate(0, [{ target: 100, durationMs: 1000 }]);
    expect(s.total).toBe(50);
    expect(s.durationMs).toBe(1000);
    expect(s.meanRate).toBeCloseTo(50, 9);
    // N(t) = 100 t^2 / 2 (t in s): request k is due at sqrt(2k / 100) s.
    for (const k of [1, 2, 10, 49]) expect(s.at(k)).toBeCloseTo(Math.sqrt((2 * k) / 100) * 1000, 6);
  });

  it('is monotone and stays inside the schedule', () => {
    const s = rampingRate(10, [
      { target: 200, durationMs: 500 },
      { target: 200, durationMs: 500 },
      { target: 0, durationMs: 1000 },
    ]);
    let prev = -1;
    for (let i = 0; i < s.total; i++) {
      const t = s.at(i);
      expect(t).toBeGreaterThanOrEqual(prev);
      expect(t).toBeLessThan(s.durationMs);
      prev = t;
    }
    // 10->200 over 0.5 s: 52.5; 200 for 0.5 s: 100; 200->0 over 1 s: 100.
    expect(s.total).toBe(253);
  });

  it('a flat stage equals the constant-rate schedule', () => {
    const ramp = rampingRate(250, [{ target: 250, durationMs: 2000 }]);
    const flat = constantRate(250, 2000);
    expect(ramp.total).toBe(flat.total);
    for (const i of [0, 1, 7, 100, 499]) expect(ramp.at(i)).toBeCloseTo(flat.at(i), 9);
  });

  it('reports the target rate along the ramp', () => {
    const s = rampingRate(0, [
      { target: 100, durationMs: 1000 },
      { target: 100, durationMs: 1000 },
    ]);
    expect(s.rateAt(0)).toBe(0);
    expect(s.rateAt(500)).toBe(50);
    expect(s.rateAt(1500)).toBe(100);
    expect(s.rateAt(2500)).toBe(0);
    expect(s.dueBy(1000)).toBe(51);
  });

  it('rejects empty or negative stages', () => {
    expect(() => rampingRate(0, [])).toThrow(/stage/);
    expect(() => rampingRate(0, [{ target: -1, durationMs: 100 }])).toThrow(/target/);
    expect(() => rampingRate(0, [{ target: 10, durationMs: 0 }])).toThrow(/duration/);
  });
});
