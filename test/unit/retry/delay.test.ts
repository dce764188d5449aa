// Backoff maths per jitter mode: exact values for fixed draws, and bounds for any draw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeiling, delayWithRetryAfter, nextDelay, retryPolicy, type JitterMode } from '../../../src/engine/retry/index.js';
import { fixedRng } from './fixtures.js';

const policy = (jitter: JitterMode) => retryPolicy({ baseMs: 100, maxDelayMs: 1_000, jitter });

describe('backoffCeiling', () => {
  it('doubles from baseMs per failed attempt and stops at maxDelayMs', () => {
    expect([1, 2, 3, 4, 5, 6, 60].map((a) => backoffCeiling(policy('none'), a))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });
});

describe('nextDelay', () => {
  it('none: the ceiling itself, no draw', () => {
    const rng = fixedRng(0.5);
    expect(nextDelay(policy('none'), 3, 0, rng)).toBe(400);
    expect(rng.draws).toBe(0);
  });

  it('full: uniform in [0, ceiling)', () => {
    expect(nextDelay(policy('full'), 3, 0, fixedRng(0))).toBe(0);
    expect(nextDelay(policy('full'), 3, 0, fixedRng(0.25))).toBe(100);
    expect(nextDelay(policy('full'), 3, 0, fixedRng(0.999))).toBe(399);
  });

  it('equal: half the ceiling plus uniform in [0, half)', () => {
    expect(nextDelay(policy('equal'), 3, 0, fixedRng(0))).toBe(200);
    expect(nextDelay(policy('equal'), 3, 0, fixedRng(0.5))).toBe(300);
    expect(nextDelay(policy('equal'), 6, 0, fixedRng(0.5))).toBe(750);
  });

  it('decorrelated: uniform in [base, 3 x previous), from base on the first retry, capped', () => {
    expect(nextDelay(policy('decorrelated'), 1, 0, fixedRng(0))).toBe(100);
    expect(nextDelay(policy('decorrelated'), 1, 0, fixedRng(0.5))).toBe(200); // 100 + 0.5 x (300 - 100)
    expect(nextDelay(policy('decorrelated'), 2, 200, fixedRng(0.5))).toBe(350); // 100 + 0.5 x (600 - 100)
    expect(nextDelay(policy('decorrelated'), 9, 900, fixedRng(0.9))).toBe(1000);
  });

  it("stays within each mode's bounds for any attempt and draw", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<JitterMode>('none', 'full', 'equal', 'decorrelated'),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (jitter, attempt, previous, draw) => {
          const p = policy(jitter);
          const d = nextDelay(p, attempt, previous, fixedRng(draw));
          const ceiling = backoffCeiling(p, attempt);
          expect(Number.isInteger(d)).toBe(true);
          expect(d).toBeLessThanOrEqual(p.maxDelayMs);
          if (jitter === 'full') expect(d).toBeLessThan(Math.max(1, ceiling));
          if (jitter === 'equal') expect(d).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          if (jitter === 'decorrelated') expect(d).toBeGreaterThanOrEqual(Math.min(p.baseMs, p.maxDelayMs));
        },
      ),
    );
  });
});

describe('delayWithRetryAfter', () => {
  const p = retryPolicy({ maxDelayMs: 5_000 });
  it('waits at least what the server asked, never past maxDelayMs', () => {
    expect(delayWithRetryAfter(p, 120, 2_000)).toBe(2_000);
    expect(delayWithRetryAfter(p, 3_000, 2_000)).toBe(3_000);
    expect(delayWithRetryAfter(p, 120, 60_000)).toBe(5_000);
    expect(delayWithRetryAfter(p, 120, undefined)).toBe(120);
  });

  it('ignores the server when honourRetryAfter is off', () => {
    expect(delayWithRetryAfter(retryPolicy({ honourRetryAfter: false }), 120, 2_000)).toBe(120);
  });
});
