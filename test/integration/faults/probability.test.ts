// Seeded decisions: a probability splits traffic, and the same seed replays the same split.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultSpecInput } from '../../../src/faults/index.js';
import { send, startUpstream, type TestUpstream } from './helpers.js';

let upstream: TestUpstream;

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(() => upstream.close());

/** Sends `n` requests in sequence; 'F' where the gateway fault answered, '.' where it passed. */
async function pattern(
  seed: string,
  faults: FaultSpecInput[],
  n = 40,
  path = '/payments',
): Promise<{ pattern: string; stats: ReturnType<Awaited<ReturnType<typeof startFaultProxy>>['stats']> }> {
  const proxy = await startFaultProxy({ upstream: upstream.url, seed, faults });
  try {
    let out = '';
    for (let i = 0; i < n; i++) {
      const res = await send(`${proxy.url}${path}`, { body: '{}' });
      out += res.status === 502 ? 'F' : res.status === 201 ? '.' : '?';
    }
    return { pattern: out, stats: proxy.stats() };
  } finally {
    await proxy.close();
  }
}

describe('probability and seed', () => {
  const half: FaultSpecInput[] = [{ name: 'gateway-status', probability: 0.5 }];

  it('injects some and passes some at 0.5, and the same seed reproduces the sequence', async () => {
    const a = await pattern('seed-S', half);
    expect(a.pattern).toMatch(/F/);
    expect(a.pattern).toMatch(/\./);
    expect(a.pattern).not.toMatch(/\?/);
    const injected = a.pattern.split('F').length - 1;
    expect(a.stats.faults['gateway-status']).toEqual({ injected, passed: 40 - injected });
    expect(a.stats).toMatchObject({ requests: 40, transparent: 40 - injected });
    expect((await pattern('seed-S', half)).pattern).toBe(a.pattern);
    // 2^-40 odds of a false failure.
    expect((await pattern('seed-T', half)).pattern).not.toBe(a.pattern);
  });

  it('probability 0 never injects and 1 always does', async () => {
    expect((await pattern('s', [{ name: 'gateway-status', probability: 0 }], 5)).pattern).toBe('.....');
    expect((await pattern('s', [{ name: 'gateway-status' }], 5)).pattern).toBe('FFFFF');
  });

  it('a later spec gets the requests an earlier one passed', async () => {
    const { stats } = await pattern('chain', [{ name: 'latency', ms: 0, probability: 0.5 }, { name: 'gateway-status' }], 20);
    expect(stats.faults.latency!.injected + stats.faults.latency!.passed).toBe(20);
    expect(stats.faults['gateway-status']).toEqual({ injected: stats.faults.latency!.passed, passed: 0 });
  });

  it('match limits a fault to a method and a path glob', async () => {
    const faults: FaultSpecInput[] = [{ name: 'gateway-status', match: { method: 'post', path: '/payments/*/refunds' } }];
    expect((await pattern('m', faults, 2, '/payments/42/refunds')).pattern).toBe('FF');
    expect((await pattern('m', faults, 2, '/payments/42/refunds/9')).pattern).toBe('..');
    expect((await pattern('m', faults, 2, '/payments')).pattern).toBe('..');
  });
});
