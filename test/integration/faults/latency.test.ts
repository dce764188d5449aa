// latency: the response is the upstream's, only later; the jitter draw is bounded and seeded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultEvent } from '../../../src/faults/index.js';
import { send, startUpstream, type TestUpstream } from './helpers.js';

let upstream: TestUpstream;

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(() => upstream.close());

describe('latency', () => {
  it('delays the exchange by at least ms and then forwards it once', async () => {
    const proxy = await startFaultProxy({ upstream: upstream.url, seed: 'slow', faults: [{ name: 'latency', ms: 200 }] });
    try {
      const before = upstream.hits;
      const res = await send(`${proxy.url}/payments`, { body: '{}' });
      expect(res.status).toBe(201);
      // libuv measures timers from a cached loop time, so they can fire up to 1 ms early on a fresh clock.
      expect(res.ms).toBeGreaterThanOrEqual(199);
      expect(upstream.hits).toBe(before + 1);
    } finally {
      await proxy.close();
    }
  });

  it('adds jitter within [0, jitterMs], the same draws for the same seed', async () => {
    const delays = async (): Promise<number[]> => {
      const events: FaultEvent[] = [];
      const proxy = await startFaultProxy({
        upstream: upstream.url,
        seed: 'jitter',
        faults: [{ name: 'latency', ms: 20, jitterMs: 40 }],
        onEvent: (e) => events.push(e),
      });
      try {
        for (let i = 0; i < 5; i++) {
          const res = await send(`${proxy.url}/p`, { body: '{}' });
          expect(res.ms).toBeGreaterThanOrEqual(events[i]!.delayMs! - 1);
        }
      } finally {
        await proxy.close();
      }
      return events.map((e) => e.delayMs!);
    };
    const first = await delays();
    for (const d of first) {
      expect(d).toBeGreaterThanOrEqual(20);
      expect(d).toBeLessThanOrEqual(60);
    }
    expect(new Set(first).size).toBeGreaterThan(1);
    expect(await delays()).toEqual(first);
  });

  it('a closing proxy cancels the delay instead of waiting it out', async () => {
    const events: FaultEvent[] = [];
    const proxy = await startFaultProxy({ upstream: upstream.url, seed: 'slow', faults: [{ name: 'latency', ms: 60_000 }], onEvent: (e) => events.push(e) });
    const before = upstream.hits;
    const pending = send(`${proxy.url}/payments`, { body: '{}', timeoutMs: 20_000 });
    // Close once the fault holds the request (its event), not after a guessed sleep.
    for (let i = 0; events.length === 0 && i < 2_000; i++) await new Promise((r) => setTimeout(r, 5));
    expect(events).toHaveLength(1);
    await proxy.close();
    const res = await pending;
    // Ended by the close (connection closed), neither by the 60 s delay nor by the client's 20 s timeout.
    expect(res.error).toBeDefined();
    expect(res.error).not.toMatch(/TIMEOUT/i);
    expect(upstream.hits).toBe(before);
  });
});
