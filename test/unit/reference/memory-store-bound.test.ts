// MemoryStore's maxRecords bound: the oldest completed record goes first, a claim in progress never
// does, and a store full of claims in progress refuses the next one (the layer answers 503), so a
// flood of unique keys cannot grow the process and cannot let a duplicate through.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createIdempotencyLayer } from '../../../src/reference/layer/layer.js';
import { createReferenceMetrics } from '../../../src/reference/observability/metrics.js';
import { MEMORY_STORE_DEFAULTS, MemoryStore } from '../../../src/reference/store/memory.js';
import { StoreCapacityError, StoreUnavailableError, type StoredResponse } from '../../../src/reference/store/types.js';
import { ReferenceConfigError } from '../../../src/reference/config-error.js';

const HOLD = { leaseMs: 30_000 };
const RETAIN_MS = 60_000;
const response = (label: string): StoredResponse => ({ status: 201, headers: {}, bodyBase64: Buffer.from(label).toString('base64') });

async function completeKey(store: MemoryStore, key: string): Promise<void> {
  const begun = await store.begin(key, `fp-${key}`, HOLD);
  if (begun.kind !== 'new') throw new Error(`${key} was not new: ${begun.kind}`);
  expect(await store.complete(key, begun.token, response(key), RETAIN_MS)).toBe(true);
}

describe('MemoryStore maxRecords', () => {
  it('defaults to 100000 and refuses a bound that is not a positive integer', () => {
    expect(new MemoryStore().maxRecords).toBe(100_000);
    expect(MEMORY_STORE_DEFAULTS.maxRecords).toBe(100_000);
    expect(new MemoryStore({ maxRecords: Number.POSITIVE_INFINITY }).maxRecords).toBe(Number.POSITIVE_INFINITY);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new MemoryStore({ maxRecords: bad })).toThrow(ReferenceConfigError);
  });

  it('evicts the oldest completed records first, in completion order, never beyond the bound', async () => {
    const store = new MemoryStore({ maxRecords: 3 });
    // Completed in the order b, a, c (claimed a, b, c): completion order decides, not claim order.
    const a = await store.begin('a', 'fp-a', HOLD);
    const b = await store.begin('b', 'fp-b', HOLD);
    const c = await store.begin('c', 'fp-c', HOLD);
    if (a.kind !== 'new' || b.kind !== 'new' || c.kind !== 'new') throw new Error('claims not new');
    await store.complete('b', b.token, response('b'), RETAIN_MS);
    await store.complete('a', a.token, response('a'), RETAIN_MS);
    await store.complete('c', c.token, response('c'), RETAIN_MS);

    await completeKey(store, 'd');
    expect((await store.lookup('b', 'fp-b')).kind).toBe('absent');
    expect((await store.lookup('a', 'fp-a')).kind).toBe('completed');
    await completeKey(store, 'e');
    expect((await store.lookup('a', 'fp-a')).kind).toBe('absent');
    expect((await store.lookup('c', 'fp-c')).kind).toBe('completed');
    expect((await store.lookup('d', 'fp-d')).kind).toBe('completed');
    expect((await store.lookup('e', 'fp-e')).kind).toBe('completed');
    expect(store.size).toBe(3);
    expect(store.evictions).toBe(2);
  });

  it('never evicts a claim in progress: completed records go around it, and its duplicate stays in-flight', async () => {
    const store = new MemoryStore({ maxRecords: 3 });
    const held = await store.begin('held', 'fp-held', HOLD);
    if (held.kind !== 'new') throw new Error('not new');
    // 50 unique keys through a store of 3 with one slot held all along.
    for (let i = 0; i < 50; i += 1) await completeKey(store, `k${i}`);
    expect(store.size).toBe(3);
    expect(store.evictions).toBe(48);
    expect((await store.begin('held', 'fp-held', HOLD)).kind).toBe('in-flight');
    // The owner still completes it, and its retry replays.
    expect(await store.complete('held', held.token, response('held'), RETAIN_MS)).toBe(true);
    expect((await store.begin('held', 'fp-held', HOLD)).kind).toBe('completed');
  });

  it('full of claims in progress: refuses a new claim with StoreCapacityError and keeps every claim', async () => {
    const store = new MemoryStore({ maxRecords: 2 });
    const one = await store.begin('one', 'fp', HOLD);
    const two = await store.begin('two', 'fp', HOLD);
    if (one.kind !== 'new' || two.kind !== 'new') throw new Error('claims not new');
    const refused = store.begin('three', 'fp', HOLD);
    await expect(refused).rejects.toBeInstanceOf(StoreCapacityError);
    await expect(store.begin('three', 'fp', HOLD)).rejects.toMatchObject({ code: 'IDEMPOTENCY_STORE_FULL', maxRecords: 2 });
    // Both claims survive: their duplicates are still told in-flight, never "new".
    expect((await store.begin('one', 'fp', HOLD)).kind).toBe('in-flight');
    expect((await store.begin('two', 'fp', HOLD)).kind).toBe('in-flight');
    expect(store.evictions).toBe(0);
    // Once one completes, the next new key evicts that completed record, not the claim still running.
    await store.complete('one', one.token, response('one'), RETAIN_MS);
    expect((await store.begin('three', 'fp', HOLD)).kind).toBe('new');
    expect((await store.lookup('one', 'fp')).kind).toBe('absent');
    expect((await store.begin('two', 'fp', HOLD)).kind).toBe('in-flight');
  });

  it('a claim whose lease ran out makes room when only claims fill the store; expired records are not evictions', async () => {
    let now = 1_000;
    const store = new MemoryStore({ maxRecords: 2, now: () => now });
    await store.begin('abandoned', 'fp', { leaseMs: 100 });
    await store.begin('running', 'fp', { leaseMs: 10_000 });
    await expect(store.begin('x', 'fp', HOLD)).rejects.toBeInstanceOf(StoreCapacityError);
    now += 101;
    expect((await store.begin('x', 'fp', HOLD)).kind).toBe('new');
    expect((await store.begin('running', 'fp', HOLD)).kind).toBe('in-flight');
    // A completed record past its retention is dropped without counting as an eviction.
    const store2 = new MemoryStore({ maxRecords: 1, now: () => now });
    const k = await store2.begin('k', 'fp', HOLD);
    if (k.kind !== 'new') throw new Error('not new');
    await store2.complete('k', k.token, response('k'), 50);
    now += 51;
    expect((await store2.begin('k2', 'fp', HOLD)).kind).toBe('new');
    expect(store2.evictions).toBe(0);
  });

  it('StoreCapacityError is a StoreUnavailableError: the layer answers 503 and runs nothing', async () => {
    const store = new MemoryStore({ maxRecords: 1 });
    const layer = createIdempotencyLayer({ store, scope: 'global' });
    let executions = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const request = (key: string) => ({ method: 'POST', path: '/payments', headers: { 'idempotency-key': `"${key}"` }, body: Buffer.from('{}') });
    const first = layer.handle(request('first'), async () => {
      executions += 1;
      await gate;
      return { status: 201, headers: {}, body: Buffer.from('ok') };
    });
    const refused = await layer.handle(request('second'), async () => {
      executions += 1;
      return { status: 201, headers: {}, body: Buffer.from('ok') };
    });
    expect(new StoreCapacityError(1)).toBeInstanceOf(StoreUnavailableError);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body.toString()).type).toBe('urn:idemaudit:problem:idempotency-store-unavailable');
    release();
    expect((await first).status).toBe(201);
    expect(executions).toBe(1);
  });

  it('idempotency_store_evictions_total shows the store count at scrape time', async () => {
    const store = new MemoryStore({ maxRecords: 2 });
    const metrics = createReferenceMetrics({ registry: new Registry(), evictions: () => store.evictions });
    for (let i = 0; i < 5; i += 1) await completeKey(store, `m${i}`);
    const { body } = await metrics.render();
    expect(body).toContain('# TYPE idempotency_store_evictions_total counter');
    expect(body).toMatch(/^idempotency_store_evictions_total 3$/m);
  });
});
