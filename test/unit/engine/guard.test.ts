import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { RunGuard } from '../../../src/engine/guard.js';
import { ex } from '../../helpers/exchange.js';

const limits = { maxRequests: 100, bailout: { rate: 0.5, minRequests: 4 } };
const now = () => performance.now();

describe('RunGuard', () => {
  it('spaces requests to the rate cap (a burst counts every copy)', async () => {
    const guard = new RunGuard({ ...limits, maxRate: 200 }, now);
    const started = now();
    for (let i = 0; i < 5; i++) expect(await guard.admit()).toBeUndefined();
    expect(await guard.admit(5)).toBeUndefined();
    // 10 requests at 200/s: the last slot starts at least ~4 spacings (20 ms) after the first.
    expect(now() - started).toBeGreaterThanOrEqual(18);
    expect(guard.sent).toBe(10);
  });

  it('refuses past the request cap and stops the run with the reason', async () => {
    const guard = new RunGuard({ ...limits, maxRequests: 3 }, now);
    expect(await guard.admit(2)).toBeUndefined();
    expect(await guard.admit(2)).toBe('not sent: request cap of 3 reached');
    expect(guard.signal.aborted).toBe(true);
    expect(await guard.admit()).toMatch(/^not sent/);
  });

  it('bails out when most answers are 5xx, not before minRequests', () => {
    const guard = new RunGuard(limits, now);
    for (let i = 0; i < 3; i++) guard.observe(ex({ status: 503 }));
    expect(guard.reason).toBeUndefined();
    guard.observe(ex({ status: 503 }));
    expect(guard.reason).toBe('bail-out: 4 of 4 answers were 5xx (limit 50%)');
  });

  it('follows the parent signal as an interruption', () => {
    const parent = new AbortController();
    const guard = new RunGuard(limits, now, parent.signal);
    parent.abort();
    expect(guard.reason).toBe('interrupted');
    expect(guard.signal.aborted).toBe(true);
  });
});
