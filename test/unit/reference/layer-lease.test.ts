// The layer's lease decisions: the heartbeat while the handler runs, and a result the store could not
// take (store down at complete) retried in the background while the claim can be held.
// Time is a fake clock (timers, Date and performance): every wait below is exact, however busy the machine.
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MemoryStore,
  StoreUnavailableError,
  createIdempotencyLayer,
  type IdempotencyStore,
  type LayerEvent,
  type LayerRequest,
  type ResponseEnvelope,
} from '../../../src/reference/index.js';
import { flawOption } from '../../../src/demo/index.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Advances the fake clock by `ms`, running every timer due on the way. */
const elapse = async (ms: number): Promise<void> => {
  await vi.advanceTimersByTimeAsync(ms);
};

/** Settles `work`, advancing the fake clock in 10 ms steps (at most `maxSteps`); returns the fake ms it took. */
async function settle<T>(work: Promise<T>, maxSteps = 1_000): Promise<{ value: T; ms: number }> {
  let done = false;
  const started = Date.now();
  void work.then(
    () => (done = true),
    () => (done = true),
  );
  await elapse(0);
  for (let i = 0; !done && i < maxSteps; i++) await elapse(10);
  return { value: await work, ms: Date.now() - started };
}

function req(key = 'k1'): LayerRequest {
  return { method: 'POST', path: '/payments', headers: { 'idempotency-key': `"${key}"` }, body: Buffer.from('{"amount":1}') };
}

function handler(workMs = 0) {
  let calls = 0;
  return vi.fn(async (): Promise<ResponseEnvelope> => {
    calls += 1;
    if (workMs > 0) await sleep(workMs);
    return { status: 201, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ id: calls })) };
  });
}

/** A MemoryStore whose selected operations fail (StoreUnavailableError) while `down` is true. */
class FlakyStore implements IdempotencyStore {
  readonly name = 'flaky';
  readonly inner = new MemoryStore();
  down = false;
  failing = new Set<string>(['complete', 'extend']);
  calls: Record<string, number> = {};
  #gate(op: string): void {
    this.calls[op] = (this.calls[op] ?? 0) + 1;
    if (this.down && this.failing.has(op)) throw new StoreUnavailableError(`${op}: down (simulated)`);
  }
  /** The (scoped) key of the last begin. */
  lastKey = '';
  begin: IdempotencyStore['begin'] = async (...args) => (this.#gate('begin'), (this.lastKey = args[0]), this.inner.begin(...args));
  lookup: IdempotencyStore['lookup'] = async (...args) => (this.#gate('lookup'), this.inner.lookup(...args));
  complete: IdempotencyStore['complete'] = async (...args) => (this.#gate('complete'), this.inner.complete(...args));
  release: IdempotencyStore['release'] = async (...args) => (this.#gate('release'), this.inner.release(...args));
  /** Every renewal: the (scoped) key and the fake time it was sent. */
  renewals: { key: string; at: number }[] = [];
  extend: IdempotencyStore['extend'] = async (...args) => (
    this.#gate('extend'),
    this.renewals.push({ key: args[0], at: performance.now() }),
    this.inner.extend(...args)
  );
  forget: IdempotencyStore['forget'] = async (...args) => (this.#gate('forget'), this.inner.forget(...args));
  async close() {}
}

function setup(leaseMs: number, flaws: string[] = []) {
  const store = new FlakyStore();
  const events: LayerEvent[] = [];
  const layer = createIdempotencyLayer({ store, scope: 'global', leaseMs, flaws: flawOption(flaws), onEvent: (e) => events.push(e) });
  const ofType = <T extends LayerEvent['type']>(type: T) => events.filter((e): e is Extract<LayerEvent, { type: T }> => e.type === type);
  return { store, layer, events, ofType };
}

describe('lease heartbeat', () => {
  it('renews a short lease while the handler runs: a duplicate mid-run is 409, not a second execution', async () => {
    const { layer, store, ofType } = setup(90);
    const execute = handler(300);
    const first = layer.handle(req(), execute);
    await elapse(200);
    expect((await settle(layer.handle(req(), execute))).value.status).toBe(409);
    expect((await settle(first)).value.status).toBe(201);
    expect(execute).toHaveBeenCalledTimes(1);
    expect(store.calls['extend']).toBeGreaterThanOrEqual(3);
    expect(ofType('lease-lost')).toEqual([]);
    const replay = (await settle(layer.handle(req(), execute))).value;
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });

  it('stops renewing once the handler settles', async () => {
    const { layer, store } = setup(60);
    await settle(layer.handle(req(), handler(100)));
    const renewals = store.calls['extend'] ?? 0;
    expect(renewals).toBeGreaterThanOrEqual(1);
    await elapse(150);
    expect(store.calls['extend'] ?? 0).toBe(renewals);
  });

  it('reports a lost claim when a renewal answers false (the key was taken over)', async () => {
    const { layer, store, ofType } = setup(90);
    const first = layer.handle(req(), handler(250));
    await elapse(20);
    await store.inner.forget(store.lastKey);
    expect((await settle(first)).value.status).toBe(201);
    expect(ofType('lease-lost')).toHaveLength(1);
    expect(ofType('settle-failed')).toHaveLength(1);
  });

  it('a lease of 0 (orphan-lock) never expires and needs no heartbeat', async () => {
    const { layer, store } = setup(100, ['orphan-lock']);
    expect(layer.settings.leaseMs).toBe(0);
    expect((await settle(layer.handle(req(), handler(150)))).value.status).toBe(201);
    expect(store.calls['extend'] ?? 0).toBe(0);
  });
});

describe('result lost to a store outage at complete', () => {
  it('answers at once, retries complete in the background, and the key replays once the store is back', async () => {
    const { layer, store, ofType } = setup(600);
    const execute = vi.fn(async (): Promise<ResponseEnvelope> => {
      store.down = true; // the store dies while the handler runs
      return { status: 201, headers: {}, body: Buffer.from('{"id":1}') };
    });
    const { value: answer, ms } = await settle(layer.handle(req(), execute));
    expect(answer.status).toBe(201);
    expect(ms).toBe(0); // the response does not wait for the retries: no clock time passed
    expect(store.calls['complete']).toBe(1);

    await elapse(200); // retries at ~50, ~150 ms fail; the heartbeat cannot renew either
    expect(store.calls['complete']).toBeGreaterThanOrEqual(2);
    store.down = false; // back inside the lease (600 ms from the claim; renewed once it answers)
    await elapse(550);
    // Reported once at the first failure; the retries then stored it, so the claim was never lost.
    expect(ofType('settle-failed')).toHaveLength(1);
    expect(ofType('lease-lost')).toEqual([]);

    // Long after the original lease: the key replays, the handler ran once.
    const retry = (await settle(layer.handle(req(), execute))).value;
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(execute).toHaveBeenCalledTimes(1);
  });

  it('gives up (lease-lost) once the lease can no longer be held', async () => {
    const { layer, store, ofType } = setup(150);
    const execute = vi.fn(async (): Promise<ResponseEnvelope> => {
      store.down = true;
      return { status: 201, headers: {}, body: Buffer.from('{}') };
    });
    expect((await settle(layer.handle(req(), execute))).value.status).toBe(201);
    await elapse(500);
    expect(ofType('settle-failed')).toHaveLength(1);
    const lost = ofType('lease-lost');
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatch(/ran out/);
    const attempts = store.calls['complete'];
    await elapse(300);
    expect(store.calls['complete']).toBe(attempts); // no retries after giving up
  });

  it('a complete that answers false (claim lost) is not retried', async () => {
    const { layer, store, ofType } = setup(300);
    const execute = vi.fn(async (): Promise<ResponseEnvelope> => {
      await store.inner.forget(store.lastKey);
      return { status: 201, headers: {}, body: Buffer.from('{}') };
    });
    expect((await settle(layer.handle(req(), execute))).value.status).toBe(201);
    await elapse(150);
    expect(store.calls['complete']).toBe(1);
    expect(ofType('settle-failed')).toHaveLength(1);
  });
});

describe('shared heartbeat (one timer per layer, not per request)', () => {
  it('many claims in flight share one interval timer, which stops at the first tick that finds none', async () => {
    const intervals = vi.spyOn(globalThis, 'setInterval');
    try {
      const { layer, store } = setup(90); // heartbeat period 30 ms: the shared timer ticks every 7 ms
      const execute = handler(100);
      const inFlight = Array.from({ length: 20 }, (_, i) => layer.handle(req(`k${i}`), execute));
      await elapse(0);
      expect(intervals).toHaveBeenCalledTimes(1);
      const answers = await Promise.all(inFlight.map((p) => settle(p)));
      expect(answers.map((a) => a.value.status)).toEqual(Array(20).fill(201));
      // Every claim was renewed while its 100 ms handler ran (at least every 30 ms).
      expect(store.calls['extend']).toBeGreaterThanOrEqual(20 * 3);
      await elapse(10);
      expect(vi.getTimerCount()).toBe(0); // the first tick that finds no claim stopped it
      await settle(layer.handle(req('later'), handler(10)));
      expect(intervals).toHaveBeenCalledTimes(2); // a new claim starts it again
    } finally {
      intervals.mockRestore();
    }
  });

  it('renews each claim between 3/4 and 1 period after its claim or last renewal, whenever it joined', async () => {
    const { layer, store, ofType } = setup(120); // period 40 ms, shared timer every 10 ms
    const runs = [0, 3, 7, 9].map(async (offset, i) => {
      await sleep(offset);
      const claimedAt = performance.now();
      await settle(layer.handle(req(`k${i}`), handler(400)));
      return claimedAt;
    });
    const claimedAts = (await Promise.all(runs.map((r) => settle(r)))).map((r) => r.value);
    for (const [i, claimedAt] of claimedAts.entries()) {
      const times = store.renewals.filter((r) => r.key.endsWith(`k${i}`)).map((r) => r.at);
      const gaps = [times[0]! - claimedAt, ...times.slice(1).map((t, j) => t - times[j]!)];
      expect(times.length).toBeGreaterThanOrEqual(9);
      for (const gap of gaps) {
        expect(gap).toBeGreaterThanOrEqual(30);
        expect(gap).toBeLessThanOrEqual(40);
      }
    }
    expect(ofType('lease-lost')).toEqual([]);
  });

  it('never renews a request shorter than 3/4 of a period (no renewal can race its completion)', async () => {
    const { layer, store } = setup(120); // renewals from 30 ms of age; the shared timer ticks every 10 ms
    const execute = handler(25);
    // Starts 3 ms apart: some request is in flight at every tick for 145 ms, so the timer keeps running.
    const all = Promise.all(Array.from({ length: 40 }, (_, i) => sleep(i * 3).then(() => layer.handle(req(`s${i}`), execute))));
    const { value: answers } = await settle(all);
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(201));
    expect(store.calls['extend'] ?? 0).toBe(0);
  });

  it('renewals run outside the async context of the request that started the timer', async () => {
    // Real timers: fake ones call every callback from the test's own context, whatever made the timer.
    vi.useRealTimers();
    const als = new AsyncLocalStorage<string>();
    const { layer, store } = setup(60); // a renewal at least every 20 ms
    const seen: (string | undefined)[] = [];
    let renewed = (): void => {};
    const twoRenewals = new Promise<void>((resolve) => (renewed = () => seen.length >= 2 && resolve()));
    const extend = store.extend;
    store.extend = async (...args) => (seen.push(als.getStore()), renewed(), extend(...args));
    // The handler runs until two renewals were sent (bounded: 5 s, then the assertions fail).
    const execute = async (): Promise<ResponseEnvelope> => {
      await Promise.race([twoRenewals, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      return { status: 201, headers: {}, body: Buffer.from('{}') };
    };
    expect((await als.run('request-1', () => layer.handle(req('a'), execute))).status).toBe(201);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual(seen.map(() => undefined));
  });

  it('a handler resolving to no envelope stops its heartbeat (the claim is left to its lease)', async () => {
    const { layer, store } = setup(90);
    const broken = vi.fn(async () => undefined as unknown as ResponseEnvelope);
    await expect(settle(layer.handle(req('broken'), broken))).rejects.toThrow(TypeError);
    await elapse(200);
    expect(store.calls['extend'] ?? 0).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a layer used across a switch of timer implementations starts a timer that fires', async () => {
    const { layer, store } = setup(90);
    await settle(layer.handle(req('before'), handler(50))); // the timer is made by this fake clock
    vi.useRealTimers();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
    const extendsBefore = store.calls['extend'] ?? 0;
    const answer = await settle(layer.handle(req('after'), handler(200)));
    expect(answer.value.status).toBe(201);
    expect((store.calls['extend'] ?? 0) - extendsBefore).toBeGreaterThanOrEqual(5);
  });
});

describe('HeartbeatTicker bounds', () => {
  it('caps its tick at the longest delay setInterval honours (a longer one would fire every 1 ms)', async () => {
    const { HeartbeatTicker } = await import('../../../src/reference/layer/lease.js');
    const { MAX_TIMER_MS } = await import('../../../src/reference/store/deadline.js');
    expect(new HeartbeatTicker(2 ** 40).intervalMs).toBe(MAX_TIMER_MS);
    expect(new HeartbeatTicker(30_000).intervalMs).toBe(2_500);
  });
});
