import { describe, expect, it, vi } from 'vitest';
import {
  AbandonedRequestError,
  MemoryStore,
  StoreUnavailableError,
  createIdempotencyLayer,
  type IdempotencyStore,
  type LayerEvent,
  type LayerOptions,
  type LayerRequest,
  type ResponseEnvelope,
  tenantFromAuthorization,
  LayerConfigError,
} from '../../../src/reference/index.js';
import { flawOption } from '../../../src/demo/index.js';
import { instrumentStore } from '../../../src/reference/layer/instrumented-store.js';

function req(overrides: Partial<LayerRequest> & { key?: string | null } = {}): LayerRequest {
  const { key = 'k1', ...rest } = overrides;
  return {
    method: 'POST',
    path: '/payments',
    headers: key === null ? {} : { 'idempotency-key': `"${key}"` },
    body: Buffer.from('{"amount":1}'),
    ...rest,
  };
}

function handler(status = 201, extraHeaders: ResponseEnvelope['headers'] = {}) {
  let calls = 0;
  const execute = vi.fn(async (): Promise<ResponseEnvelope> => {
    calls += 1;
    return {
      status,
      headers: { 'content-type': 'application/json', location: `/payments/${calls}`, 'set-cookie': ['s=1'], 'x-request-id': `r${calls}`, ...extraHeaders },
      body: Buffer.from(JSON.stringify({ id: calls })),
    };
  });
  return execute;
}

function layerWith(options: Partial<LayerOptions> = {}) {
  const events: LayerEvent[] = [];
  const store = (options.store as MemoryStore | undefined) ?? new MemoryStore();
  const layer = createIdempotencyLayer({ store, tenantOf: (r) => tenantFromAuthorization(r.headers), onEvent: (e) => events.push(e), ...options });
  const outcomes = () => events.flatMap((e) => (e.type === 'request' ? [e.outcome] : []));
  return { layer, store, events, outcomes };
}

const json = (r: ResponseEnvelope) => JSON.parse(r.body.toString());

/** A store whose service is down. */
function downStore(): IdempotencyStore {
  const fail = () => Promise.reject(new StoreUnavailableError('down'));
  return { name: 'down', begin: fail, lookup: fail, complete: fail, release: fail, extend: fail, forget: fail, close: async () => {} };
}

describe('createIdempotencyLayer decisions', () => {
  it('new key: executes once, answers the handler response untouched', async () => {
    const { layer, outcomes } = layerWith();
    const execute = handler();
    const answer = await layer.handle(req(), execute);
    expect(execute).toHaveBeenCalledTimes(1);
    expect(answer.status).toBe(201);
    expect(answer.headers['set-cookie']).toEqual(['s=1']);
    expect(answer.headers['idempotent-replayed']).toBeUndefined();
    expect(outcomes()).toEqual(['new']);
  });

  it('completed key: replays status, bytes and allow-listed headers with the marker', async () => {
    const { layer, outcomes } = layerWith();
    const execute = handler(201, { link: ['<a>; rel=x', '<b>; rel=y'], date: 'yesterday' });
    const first = await layer.handle(req(), execute);
    const replay = await layer.handle(req(), execute);
    expect(execute).toHaveBeenCalledTimes(1);
    expect(replay.status).toBe(201);
    expect(replay.body.equals(first.body)).toBe(true);
    expect(replay.headers).toEqual({
      'content-type': 'application/json',
      location: '/payments/1',
      link: '<a>; rel=x, <b>; rel=y',
      'idempotent-replayed': 'true',
    });
    expect(outcomes()).toEqual(['new', 'replay']);
  });

  it('in-flight key: 409 problem with Retry-After, no execution', async () => {
    const { layer, outcomes } = layerWith();
    let finish!: () => void;
    const slow = vi.fn(
      () =>
        new Promise<ResponseEnvelope>((resolve) => {
          finish = () => resolve({ status: 201, headers: {}, body: Buffer.from('ok') });
        }),
    );
    const original = layer.handle(req(), slow);
    await vi.waitFor(() => expect(slow).toHaveBeenCalled());
    const duplicate = await layer.handle(req(), slow);
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers['content-type']).toBe('application/problem+json');
    expect(duplicate.headers['retry-after']).toBe('1');
    expect(json(duplicate)).toMatchObject({ status: 409, type: expect.stringContaining('urn:idemaudit:problem:') });
    finish();
    await original;
    expect(slow).toHaveBeenCalledTimes(1);
    expect(outcomes()).toEqual(['in_flight_conflict', 'new']);
  });

  it('different payload, method or path under one key: 422, and the original survives', async () => {
    const { layer } = layerWith();
    const execute = handler();
    await layer.handle(req(), execute);
    expect((await layer.handle(req({ body: Buffer.from('{"amount":2}') }), execute)).status).toBe(422);
    expect((await layer.handle(req({ path: '/refunds' }), execute)).status).toBe(422);
    expect((await layer.handle(req({ method: 'PUT' }), execute)).status).toBe(422);
    expect((await layer.handle(req(), execute)).headers['idempotent-replayed']).toBe('true');
    expect(execute).toHaveBeenCalledTimes(1);
  });

  it('missing key: 400 problem; malformed key: 400 problem naming the reason', async () => {
    const { layer, outcomes } = layerWith();
    const execute = handler();
    const missing = await layer.handle(req({ key: null }), execute);
    expect(missing.status).toBe(400);
    expect(json(missing)).toMatchObject({ status: 400, title: expect.any(String), detail: expect.stringContaining('Idempotency-Key') });
    const malformed = await layer.handle(req({ headers: { 'idempotency-key': 'bare' } }), execute);
    expect(malformed.status).toBe(400);
    expect(json(malformed).detail).toMatch(/quoted/);
    expect(execute).not.toHaveBeenCalled();
    expect(outcomes()).toEqual(['missing_key', 'invalid_key']);
  });

  it('keyRequired false: a keyless request runs unprotected every time', async () => {
    const { layer, outcomes } = layerWith({ keyRequired: false });
    const execute = handler();
    await layer.handle(req({ key: null }), execute);
    await layer.handle(req({ key: null }), execute);
    expect(execute).toHaveBeenCalledTimes(2);
    expect(outcomes()).toEqual(['unkeyed', 'unkeyed']);
  });

  it('unprotected methods pass straight through, key or not', async () => {
    const { layer, outcomes } = layerWith();
    const execute = handler(200);
    await layer.handle(req({ method: 'GET', key: null }), execute);
    await layer.handle(req({ method: 'GET' }), execute);
    expect(execute).toHaveBeenCalledTimes(2);
    expect(outcomes()).toEqual(['bypass', 'bypass']);
  });

  it('custom key header and methods', async () => {
    const { layer } = layerWith({ keyHeader: 'X-Request-Key', methods: ['post'] });
    const execute = handler();
    const answer = await layer.handle(req({ key: null, headers: { 'x-request-key': '"abc"' } }), execute);
    expect(answer.status).toBe(201);
    expect((await layer.handle(req({ key: null, method: 'DELETE' }), execute)).status).toBe(201);
  });

  it('scopes keys by tenant: another credential executes independently', async () => {
    const { layer } = layerWith();
    const execute = handler();
    const a = await layer.handle(req({ headers: { 'idempotency-key': '"k"', authorization: 'Bearer a' } }), execute);
    const b = await layer.handle(req({ headers: { 'idempotency-key': '"k"', authorization: 'Bearer b' } }), execute);
    expect(execute).toHaveBeenCalledTimes(2);
    expect(json(a).id).not.toBe(json(b).id);
  });

  it('custom tenantOf decides the scope', async () => {
    const { layer } = layerWith({ tenantOf: (r) => String(r.headers['x-account'] ?? 'none') });
    const execute = handler();
    await layer.handle(req({ headers: { 'idempotency-key': '"k"', 'x-account': 'acme', authorization: 'a' } }), execute);
    const sameAccount = await layer.handle(req({ headers: { 'idempotency-key': '"k"', 'x-account': 'acme', authorization: 'b' } }), execute);
    expect(sameAccount.headers['idempotent-replayed']).toBe('true');
  });

  it('4xx results are stored; 5xx release the key unless replay5xx', async () => {
    const stored = layerWith();
    const bad = handler(400);
    await stored.layer.handle(req(), bad);
    expect((await stored.layer.handle(req(), bad)).headers['idempotent-replayed']).toBe('true');
    expect(bad).toHaveBeenCalledTimes(1);

    const released = layerWith();
    const failing = handler(503);
    await released.layer.handle(req(), failing);
    await released.layer.handle(req(), failing);
    expect(failing).toHaveBeenCalledTimes(2);

    const replayed = layerWith({ replay5xx: true });
    const failingToo = handler(500);
    await replayed.layer.handle(req(), failingToo);
    expect((await replayed.layer.handle(req(), failingToo)).status).toBe(500);
    expect(failingToo).toHaveBeenCalledTimes(1);
  });

  it('a throwing handler: 500 problem and the key is released', async () => {
    const { layer } = layerWith();
    const execute = vi.fn(async (): Promise<ResponseEnvelope> => {
      throw new Error('boom');
    });
    const answer = await layer.handle(req(), execute);
    expect(answer.status).toBe(500);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    await layer.handle(req(), execute);
    expect(execute).toHaveBeenCalledTimes(2);
  });

  it('an abandoned request rethrows and leaves the key in flight until the lease expires', async () => {
    let now = 1_000;
    const store = new MemoryStore({ now: () => now });
    const { layer } = layerWith({ store, leaseMs: 500 });
    await expect(layer.handle(req(), () => Promise.reject(new AbandonedRequestError()))).rejects.toBeInstanceOf(AbandonedRequestError);
    const execute = handler();
    expect((await layer.handle(req(), execute)).status).toBe(409);
    now += 501;
    expect((await layer.handle(req(), execute)).status).toBe(201);
    expect(execute).toHaveBeenCalledTimes(1);
  });

  it('fails closed on store errors: 503 with Retry-After, the handler never runs', async () => {
    const { layer, outcomes } = layerWith({ store: downStore() });
    const execute = handler();
    const answer = await layer.handle(req(), execute);
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(execute).not.toHaveBeenCalled();
    expect(outcomes()).toEqual(['store_error']);
  });

  it('fails closed when the store hangs past storeTimeoutMs', async () => {
    const hanging: IdempotencyStore = { ...downStore(), begin: () => new Promise(() => {}) };
    const { layer, events } = layerWith({ store: hanging, storeTimeoutMs: 30 });
    const execute = handler();
    expect((await layer.handle(req(), execute)).status).toBe(503);
    expect(execute).not.toHaveBeenCalled();
    expect(events).toContainEqual(expect.objectContaining({ type: 'store', op: 'begin', ok: false }));
  });

  it('adds no timer per store call for a store that bounds its own calls, and one for a store that does not', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    try {
      const bounded = layerWith({ store: new MemoryStore(), storeTimeoutMs: 1000 });
      expect((await bounded.layer.handle(req({ key: 'bounded' }), handler())).status).toBe(201);
      expect(timers).not.toHaveBeenCalled();
      // Bounded, but more loosely than the layer asks: the layer's own timer stays.
      const loose = Object.assign(new MemoryStore(), { callTimeoutMs: 5000 });
      const { layer } = layerWith({ store: loose, storeTimeoutMs: 1000 });
      expect((await layer.handle(req({ key: 'loose' }), handler())).status).toBe(201);
      // begin and complete: one timer each.
      expect(timers.mock.calls.filter(([, ms]) => ms === 1000)).toHaveLength(2);
    } finally {
      timers.mockRestore();
    }
  });

  // Nobody listening and a store that bounds its own calls: the calls go straight through (no timing
  // wrapper), which must still turn every kind of failure, synchronous throws included, into a 503.
  it.each([
    ['rejects', () => Promise.reject(new StoreUnavailableError('down'))],
    [
      'throws synchronously',
      () => {
        throw new StoreUnavailableError('down');
      },
    ],
    [
      'throws a foreign error synchronously',
      () => {
        throw new Error('driver bug');
      },
    ],
  ])('without a listener, fails closed when a self-bounded store %s', async (_label, begin) => {
    const store: IdempotencyStore = { ...downStore(), callTimeoutMs: 0, begin: begin };
    const layer = createIdempotencyLayer({ store, scope: 'global' });
    const execute = handler();
    const answer = await layer.handle(req(), execute);
    expect(answer.status).toBe(503);
    expect(execute).not.toHaveBeenCalled();
  });

  it('the pass-through store hands every call on and turns a synchronous throw into a rejection', async () => {
    const boom = new StoreUnavailableError('down');
    const throwing = () => {
      throw boom;
    };
    const inner: IdempotencyStore = {
      ...downStore(),
      name: 'inner',
      callTimeoutMs: 0,
      begin: throwing,
      complete: throwing,
      release: throwing,
      extend: throwing,
    };
    const store = instrumentStore(inner, undefined, 1000);
    expect(store.name).toBe('inner');
    expect(store.callTimeoutMs).toBe(0);
    for (const call of [
      () => store.begin('k', 'fp', { leaseMs: 1 }),
      () => store.complete('k', 't', { status: 200, headers: {}, bodyBase64: '' }, 1),
      () => store.release('k', 't'),
      () => store.extend('k', 't', 1),
    ]) {
      let pending: Promise<unknown> | undefined;
      expect(() => (pending = call())).not.toThrow();
      await expect(pending).rejects.toBe(boom);
    }
  });

  it('without a listener, a self-bounded store still executes once and replays (the pass-through path)', async () => {
    const store = new MemoryStore();
    const layer = createIdempotencyLayer({ store, scope: 'global' });
    const execute = handler();
    expect((await layer.handle(req(), execute)).status).toBe(201);
    const replay = await layer.handle(req(), execute);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(execute).toHaveBeenCalledTimes(1);
  });

  it('refuses a storeTimeoutMs setTimeout cannot wait for (it would fire at once: every call a 503)', () => {
    expect(() => createIdempotencyLayer({ store: new MemoryStore(), scope: 'global', storeTimeoutMs: 2 ** 31 })).toThrow(
      /storeTimeoutMs must be at most 2147483647 ms/,
    );
  });

  it('still fails closed on a hanging call of a store that claims a bound looser than storeTimeoutMs', async () => {
    const hanging: IdempotencyStore = { ...downStore(), callTimeoutMs: 60_000, begin: () => new Promise(() => {}) };
    const { layer } = layerWith({ store: hanging, storeTimeoutMs: 30 });
    expect((await layer.handle(req(), handler())).status).toBe(503);
  });

  it('keeps the handler answer when recording it fails after the side effect', async () => {
    const store = new MemoryStore();
    store.complete = () => Promise.reject(new StoreUnavailableError('gone'));
    const { layer, events } = layerWith({ store });
    const answer = await layer.handle(req(), handler());
    expect(answer.status).toBe(201);
    expect(events).toContainEqual(expect.objectContaining({ type: 'settle-failed' }));
  });

  it('refuses bodies above maxBodyBytes with 413', async () => {
    const { layer } = layerWith({ maxBodyBytes: 4 });
    const execute = handler();
    expect((await layer.handle(req(), execute)).status).toBe(413);
    expect(execute).not.toHaveBeenCalled();
  });

  it('emits store timings, in-flight gauge moves and hashed keys only', async () => {
    const { layer, events } = layerWith();
    await layer.handle(req({ headers: { 'idempotency-key': '"secret-key"', authorization: 'Bearer secret' } }), handler());
    expect(events.filter((e) => e.type === 'in-flight').map((e) => (e as { delta: number }).delta)).toEqual([1, -1]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'store', op: 'begin', ok: true }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'store', op: 'complete', ok: true }));
    const serialised = JSON.stringify(events);
    expect(serialised).not.toContain('secret-key');
    expect(serialised).not.toContain('Bearer secret');
  });

  it('an onEvent that throws never changes the answer', async () => {
    const layer = createIdempotencyLayer({
      store: new MemoryStore(),
      scope: 'global',
      onEvent: () => {
        throw new Error('metrics broke');
      },
    });
    expect((await layer.handle(req(), handler())).status).toBe(201);
  });

  it('validates options and flaw names up front', () => {
    const store = new MemoryStore();
    const scope = 'global';
    expect(() => createIdempotencyLayer({ store, scope, leaseMs: 0 })).toThrow(/leaseMs/);
    expect(() => createIdempotencyLayer({ store, scope, retentionMs: -1 })).toThrow(/retentionMs/);
    expect(() => createIdempotencyLayer({ store, scope, keySyntax: 'loose' as 'lenient' })).toThrow(/keySyntax/);
    expect(() => createIdempotencyLayer({ store, scope, flaws: flawOption(['nope']) })).toThrow(/unknown flaw: nope.*known flaws: race/);
  });

  it('requires tenantOf unless scope is global, with a typed error naming the option', () => {
    const store = new MemoryStore();
    const missing = (() => {
      try {
        createIdempotencyLayer({ store });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(missing).toBeInstanceOf(LayerConfigError);
    expect(missing).toMatchObject({ code: 'IDEMPOTENCY_TENANT_REQUIRED', option: 'tenantOf' });
    expect((missing as Error).message).toMatch(/`tenantOf` is required.*scope: 'global'/);
    expect(() => createIdempotencyLayer({ store, scope: 'global', tenantOf: () => 't' })).toThrow(
      expect.objectContaining({ code: 'IDEMPOTENCY_SCOPE_CONFLICT' }),
    );
    expect(() => createIdempotencyLayer({ store, scope: 'tenants' as 'tenant', tenantOf: () => 't' })).toThrow(
      expect.objectContaining({ code: 'IDEMPOTENCY_SCOPE_INVALID' }),
    );
    expect(createIdempotencyLayer({ store, scope: 'global' }).settings.scope).toBe('global');
  });

  it('scope global: one key space whatever the credentials', async () => {
    const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global' });
    const execute = handler();
    await layer.handle(req({ headers: { 'idempotency-key': '"g1"', authorization: 'Bearer a' } }), execute);
    const second = await layer.handle(req({ headers: { 'idempotency-key': '"g1"', authorization: 'Bearer b' } }), execute);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(execute).toHaveBeenCalledTimes(1);
  });

  it('a tenantOf returning no principal fails the request instead of sharing a scope', async () => {
    const layer = createIdempotencyLayer({ store: new MemoryStore(), tenantOf: () => '' });
    const execute = handler();
    await expect(layer.handle(req(), execute)).rejects.toThrow(/tenantOf must return a non-empty string/);
    expect(execute).not.toHaveBeenCalled();
  });

  it('problem type URIs use the configured base', async () => {
    const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global', problemTypeBase: 'https://errors.example.com/idem/' });
    expect(json(await layer.handle(req({ key: null }), handler())).type).toBe('https://errors.example.com/idem/missing-idempotency-key');
    const execute = handler();
    const slow = layer.handle(req({ key: 'p1' }), () => new Promise((resolve) => setTimeout(() => resolve(execute()), 30)));
    expect(json(await layer.handle(req({ key: 'p1' }), execute)).type).toBe('https://errors.example.com/idem/request-in-progress');
    await slow;
    expect(layer.settings.problemTypeBase).toBe('https://errors.example.com/idem/');
    expect(json(layer.problems.tooLarge(1)).type).toBe('https://errors.example.com/idem/payload-too-large');
  });

  it('request events carry a bounded route: the adapter pattern, routeOf, or the path with ids as :id', async () => {
    const { layer, events } = layerWith();
    await layer.handle(req({ path: '/payments/12345/refunds?x=1' }), handler());
    await layer.handle(req({ key: 'k2', path: '/payments/pay_8f3a9c2e7b/capture' }), handler());
    await layer.handle(req({ key: 'k3', route: '/payments/:id' }), handler());
    const custom = layerWith({ routeOf: () => 'payments' });
    await custom.layer.handle(req(), handler());
    const routes = [...events, ...custom.events].flatMap((e) => (e.type === 'request' ? [e.route] : []));
    expect(routes).toEqual(['/payments/:id/refunds', '/payments/:id/capture', '/payments/:id', 'payments']);
  });

  it('reports the settings in force, flaws applied', () => {
    const { layer } = layerWith({ flaws: flawOption(['short-ttl', 'orphan-lock']) });
    expect(layer.settings).toMatchObject({ retentionMs: 1000, leaseMs: 0, flaws: ['short-ttl', 'orphan-lock'] });
  });
});
