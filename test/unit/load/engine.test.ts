// The load engine under a fake clock: pacing, latency from the intended start (coordinated omission
// never hides queueing), the closed model, caps, and duplicate judgement, all without sockets.
import { describe, expect, it } from 'vitest';
import { LoadEngine } from '../../../src/engine/load/engine.js';
import type { LoadOptions, LoadProgress, LoadResult } from '../../../src/engine/load/types.js';
import { FakeClock, FakeTransport, idempotentServer, template, type FakeAnswer, type FakeRequest } from './fakes.js';

function options(over: Partial<LoadOptions> = {}): LoadOptions {
  return {
    template: template(),
    executor: { name: 'constant-arrival-rate', rate: 100, durationMs: 1000, connections: 10, maxInFlight: 1000 },
    maxRequests: 1_000_000,
    timeoutMs: 5000,
    duplicates: 0,
    inFlightDuplicates: 0,
    seed: 'test',
    statuses: { inFlight: [409], mismatch: [422] },
    ...over,
  };
}

async function drive(
  opts: LoadOptions,
  answer: (r: FakeRequest) => FakeAnswer,
  block?: (clock: FakeClock) => void,
): Promise<{ result: LoadResult; transport: FakeTransport; clock: FakeClock }> {
  const clock = new FakeClock();
  const transport = new FakeTransport(clock, answer);
  const p = new LoadEngine(opts, transport, clock).run();
  if (block) block(clock);
  clock.run();
  return { result: await p, transport, clock };
}

const ok = (latency = 2): FakeAnswer => ({ status: 201, body: '{"id":"x"}', latency });

describe('open model (constant arrival rate)', () => {
  it('sends each request at its intended start, whatever the answers take', async () => {
    const { result, transport } = await drive(options(), () => ok(300));
    expect(result.sent).toBe(100);
    expect(result.completed).toBe(100);
    expect(result.planned).toBe(100);
    expect(transport.sent.map((r) => r.sentAt)).toEqual(Array.from({ length: 100 }, (_, i) => i * 10));
    // Slow answers do not slow the arrivals: latency is the service time here, 300 ms each.
    expect(result.stats.stat('latency', 'all', { kind: 'percentile', percentile: 50 })).toBe(300);
    expect(result.elapsedMs).toBe(990 + 300);
  });

  it('counts the time a late generator kept requests waiting (coordinated omission is not hidden)', async () => {
    // The event loop is blocked from t=205 to t=500: requests due at 210..500 go out late, together.
    const { result, transport } = await drive(
      options(),
      () => ok(1),
      (clock) => {
        clock.run(205);
        clock.freeze(295);
      },
    );
    expect(result.sent).toBe(100);
    const late = transport.sent.filter((r) => r.sentAt === 500);
    expect(late.length).toBe(30); // intended 210, 220, ..., 500
    // Service time stays at 1 ms; latency from the intended start shows the 290 ms the first one waited.
    expect(result.stats.stat('service', 'all', { kind: 'max' })).toBe(1);
    expect(result.stats.stat('latency', 'all', { kind: 'max' })).toBe(291);
    expect(result.stats.stat('latency', 'all', { kind: 'percentile', percentile: 90 })).toBeGreaterThan(100);
  });

  it('follows a ramp', async () => {
    const { result, transport } = await drive(
      options({
        executor: {
          name: 'ramping-arrival-rate',
          startRate: 0,
          stages: [
            { target: 100, durationMs: 1000 },
            { target: 100, durationMs: 1000 },
          ],
          connections: 5,
          maxInFlight: 100,
        },
      }),
      () => ok(1),
    );
    expect(result.planned).toBe(150);
    expect(result.sent).toBe(150);
    expect(result.targetRate).toBeCloseTo(75, 6);
    const firstSecond = transport.sent.filter((r) => r.sentAt < 1000).length;
    expect(firstSecond).toBe(50);
  });

  it('drops (and counts) slots beyond maxInFlight instead of queueing without bound', async () => {
    const { result } = await drive(options({ executor: { name: 'constant-arrival-rate', rate: 100, durationMs: 1000, connections: 5, maxInFlight: 5 } }), () =>
      ok(1000),
    );
    expect(result.sent).toBe(5);
    expect(result.dropped).toBe(95);
    expect(result.completed).toBe(5);
  });

  it('stops at maxRequests', async () => {
    const { result } = await drive(options({ maxRequests: 42 }), () => ok(1));
    expect(result.sent).toBe(42);
    expect(result.capped).toBe(true);
  });

  it('classifies outcomes by status, marker, error and timeout', async () => {
    let i = 0;
    const answers: FakeAnswer[] = [
      ok(1),
      { status: 200, body: '{}', headers: { 'Idempotent-Replayed': 'true' }, latency: 1 },
      { status: 409, latency: 1 },
      { status: 422, latency: 1 },
      { status: 400, latency: 1 },
      { status: 503, latency: 1 },
      { status: 0, latency: 1, error: Object.assign(new Error('boom'), { code: 'ECONNRESET' }) },
      { status: 0, latency: 1, error: Object.assign(new Error('slow'), { code: 'UND_ERR_HEADERS_TIMEOUT' }) },
    ];
    const { result } = await drive(
      options({ executor: { name: 'constant-arrival-rate', rate: 8, durationMs: 1000, connections: 1, maxInFlight: 10 } }),
      () => answers[i++]!,
    );
    expect(['first', 'replay', 'conflict', 'mismatch', 'rejected', 'error', 'timeout'].map((o) => result.stats.count(o as never))).toEqual([
      1, 1, 1, 1, 1, 2, 1,
    ]);
    expect(result.errors).toEqual({ 'connection reset (ECONNRESET)': 1, 'no response headers before the timeout (UND_ERR_HEADERS_TIMEOUT)': 1 });
    expect(result.statuses).toEqual({ 200: 1, 201: 1, 400: 1, 409: 1, 422: 1, 503: 1 });
  });

  it('reports progress with the target and achieved rate', async () => {
    const seen: LoadProgress[] = [];
    await drive(options({ onProgress: (p) => seen.push(p), progressIntervalMs: 250 }), () => ok(1));
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen[1]).toMatchObject({ executor: 'constant-arrival-rate', targetRate: 100, durationMs: 1000, errors: 0 });
    expect(seen[1]!.achievedRate).toBeCloseTo(100, -1);
  });

  it('gives up on answers that never come, after the timeout and a grace period', async () => {
    const { result, transport } = await drive(options({ timeoutMs: 100 }), (r) => (r.sentAt < 500 ? ok(1) : ok(60_000)));
    expect(transport.destroyed).toBe(true);
    expect(result.completed).toBe(100);
    expect(result.stats.count('error')).toBe(50);
  });
});

describe('bail-out', () => {
  it('stops sending once most answers are errors (the target is down), and says why', async () => {
    const { result } = await drive(options({ bailout: { rate: 0.5, minRequests: 20 } }), (r) => (r.sentAt >= 300 ? { status: 503, latency: 1 } : ok(1)));
    expect(result.stoppedEarly).toMatch(/^bail-out: \d+ of \d+ answers were errors, timeouts or 5xx \(limit 50%\)$/);
    expect(result.sent).toBeLessThan(70);
    expect(result.sent).toBeGreaterThan(60);
  });
});

describe('closed model (constant connections)', () => {
  it('keeps N requests outstanding until the duration ends', async () => {
    const { result, transport } = await drive(options({ executor: { name: 'constant-connections', connections: 4, durationMs: 100 } }), () => ok(10));
    expect(result.sent).toBe(40); // 4 connections x 100 ms / 10 ms
    expect(result.targetRate).toBeUndefined();
    const concurrency = new Map<number, number>();
    for (const r of transport.sent) concurrency.set(r.sentAt, (concurrency.get(r.sentAt) ?? 0) + 1);
    expect(Math.max(...concurrency.values())).toBe(4);
    expect(result.stats.stat('latency', 'all', { kind: 'max' })).toBe(10);
  });

  it('stops at maxRequests', async () => {
    const { result } = await drive(options({ maxRequests: 7, executor: { name: 'constant-connections', connections: 3, durationMs: 10_000 } }), () => ok(10));
    expect(result.sent).toBe(7);
    expect(result.capped).toBe(true);
  });
});

describe('duplicates', () => {
  const dupOptions = (over: Partial<LoadOptions> = {}): LoadOptions =>
    options({
      executor: { name: 'constant-arrival-rate', rate: 200, durationMs: 2000, connections: 10, maxInFlight: 1000 },
      duplicates: 0.3,
      inFlightDuplicates: 0.5,
      identity: '/id',
      ...over,
    });

  it('a correct server: in-flight duplicates get 409, replays match, no duplicate execution', async () => {
    const clock = new FakeClock();
    const server = idempotentServer(clock, { work: 20 });
    const transport = new FakeTransport(clock, server.answer);
    const p = new LoadEngine(dupOptions(), transport, clock).run();
    clock.run();
    const r = await p;
    expect(r.kinds.inflight).toBeGreaterThan(40);
    expect(r.kinds.replay).toBeGreaterThan(40);
    expect(r.kinds.fresh + r.kinds.replay + r.kinds.inflight).toBe(r.sent);
    expect(r.stats.count('conflict')).toBe(r.kinds.inflight);
    expect(r.duplicates).toMatchObject({ identityDuplicates: 0, replayMismatches: 0, unexplainedDifferences: 0 });
    expect(r.duplicates.replaysCompared).toBe(r.kinds.replay);
    expect(server.executions()).toBe(r.keys);
    expect(r.duplicatedKeys.length).toBeGreaterThan(0);
    expect(r.duplicatedKeys.every((k) => k.startsWith(r.keyPrefix))).toBe(true);
    expect(r.samples.length).toBeGreaterThan(0);
  });

  it('a racy server: every in-flight duplicate that executed again is counted by identity, with evidence', async () => {
    const clock = new FakeClock();
    const server = idempotentServer(clock, { work: 20, flawed: true });
    const p = new LoadEngine(dupOptions(), new FakeTransport(clock, server.answer), clock).run();
    clock.run();
    const r = await p;
    expect(r.duplicates.identityDuplicates).toBe(r.kinds.inflight);
    expect(server.executions() - r.keys).toBe(r.kinds.inflight);
    expect(r.evidence.identity.length).toBe(3);
    const [original, twin] = r.evidence.identity[0]!;
    expect(original.key).toBe(twin.key);
    expect(original.response!.body.toString()).not.toBe(twin.response!.body.toString());
  });

  it('a server that re-renders replays: counted as replay mismatches (same id, other bytes)', async () => {
    const clock = new FakeClock();
    const server = idempotentServer(clock, { work: 5, rerender: true });
    const p = new LoadEngine(dupOptions({ inFlightDuplicates: 0 }), new FakeTransport(clock, server.answer), clock).run();
    clock.run();
    const r = await p;
    expect(r.duplicates.replayMismatches).toBe(r.kinds.replay);
    expect(r.duplicates.identityDuplicates).toBe(0);
    expect(r.evidence.mismatch.length).toBe(3);
  });

  it('without an identity pointer differing answers are unexplained, not proven executions', async () => {
    const clock = new FakeClock();
    const server = idempotentServer(clock, { work: 20, flawed: true });
    const { identity: _drop, ...rest } = dupOptions();
    const p = new LoadEngine(rest, new FakeTransport(clock, server.answer), clock).run();
    clock.run();
    const r = await p;
    expect(r.duplicates.identityDuplicates).toBe(0);
    expect(r.duplicates.unexplainedDifferences).toBe(r.kinds.inflight);
  });

  it('is reproducible: the same seed sends the same keys in the same order', async () => {
    const run = async (): Promise<string[]> => {
      const clock = new FakeClock();
      const server = idempotentServer(clock);
      const t = new FakeTransport(clock, server.answer);
      const p = new LoadEngine(dupOptions(), t, clock).run();
      clock.run();
      await p;
      return t.sent.map((s) => `${s.kind}:${s.key}`);
    };
    expect(await run()).toEqual(await run());
  });
});

describe('abort', () => {
  it('stops sending and ends once the signal fires', async () => {
    const controller = new AbortController();
    const clock = new FakeClock();
    const transport = new FakeTransport(clock, () => ok(50));
    const p = new LoadEngine(options({ signal: controller.signal }), transport, clock).run();
    clock.run(300);
    controller.abort();
    clock.run();
    const r = await p;
    expect(r.aborted).toBe(true);
    expect(r.sent).toBeLessThanOrEqual(31);
  });
});

describe('open model at the edge', () => {
  it('counts requests sent late and the worst lag, and still measures latency from the intended start', async () => {
    // The event loop is blocked from t=205 to t=500: the 30 requests due at 210..500 go out at 500.
    const { result } = await drive(
      options(),
      () => ok(1),
      (clock) => {
        clock.run(205);
        clock.freeze(295);
      },
    );
    // Late by more than 5 ms: those due at 210..490 (29); the one due at 500 leaves on time.
    expect(result.late).toBe(29);
    expect(result.maxLagMs).toBe(290);
    expect(result.stats.stat('latency', 'all', { kind: 'max' })).toBe(291);
  });

  it('an on-time run has no late sends', async () => {
    const { result } = await drive(options(), () => ok(1));
    expect(result.late).toBe(0);
    expect(result.maxLagMs).toBe(0);
  });
});
