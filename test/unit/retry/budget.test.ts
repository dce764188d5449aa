// The per-path token bucket: spends one token per retry, refills over the window, paths apart.
import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../../src/engine/retry/index.js';

describe('RetryBudget', () => {
  it('allows maxRetries retries, then none until the window refills them', () => {
    const budget = new RetryBudget({ maxRetries: 3, windowMs: 1_000 });
    expect([1, 2, 3, 4].map(() => budget.tryAcquire('POST /payments', 0))).toEqual([true, true, true, false]);
    expect(budget.available('POST /payments', 332)).toBe(0);
    expect(budget.available('POST /payments', 334)).toBe(1);
    expect(budget.tryAcquire('POST /payments', 334)).toBe(true);
    expect(budget.tryAcquire('POST /payments', 334)).toBe(false);
  });

  it('never holds more than maxRetries, however long it idles', () => {
    const budget = new RetryBudget({ maxRetries: 3, windowMs: 1_000 });
    budget.tryAcquire('p', 0);
    expect(budget.available('p', 1_000_000)).toBe(3);
  });

  it('keeps one bucket per path', () => {
    const budget = new RetryBudget({ maxRetries: 1, windowMs: 60_000 });
    expect(budget.tryAcquire('POST /payments', 0)).toBe(true);
    expect(budget.tryAcquire('POST /payments', 0)).toBe(false);
    expect(budget.tryAcquire('POST /refunds', 0)).toBe(true);
  });

  it('maxRetries 0 forbids every retry', () => {
    expect(new RetryBudget({ maxRetries: 0, windowMs: 1_000 }).tryAcquire('p', 0)).toBe(false);
  });

  it('forgets the least recently used path beyond maxKeys, so memory stays bounded', () => {
    const budget = new RetryBudget({ maxRetries: 1, windowMs: 60_000 }, { maxKeys: 2 });
    budget.tryAcquire('a', 0);
    budget.tryAcquire('b', 0);
    budget.tryAcquire('c', 0); // evicts a: it comes back with a full bucket
    expect(budget.available('b', 0)).toBe(0);
    expect(budget.available('a', 0)).toBe(1);
  });

  it('ignores a clock that goes backwards instead of minting tokens', () => {
    const budget = new RetryBudget({ maxRetries: 1, windowMs: 1_000 });
    budget.tryAcquire('p', 5_000);
    expect(budget.available('p', 0)).toBe(0);
  });
});
