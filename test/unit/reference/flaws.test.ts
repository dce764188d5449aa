import { describe, expect, it, vi } from 'vitest';
import { createIdempotencyLayer, MemoryStore, type LayerRequest, type ResponseEnvelope } from '../../../src/reference/index.js';
import { FLAWS, FLAW_NAMES, behaviourWith, flawOption, listFlaws, parseFlawNames } from '../../../src/demo/index.js';
import { correctBehaviour } from '../../../src/reference/layer/behaviour.js';
import { problems } from '../../../src/reference/layer/problem.js';
import { keepOnlyContentType } from '../../../src/demo/flaws/header-drop.js';
import { rerenderJsonBody } from '../../../src/demo/flaws/regenerate.js';
import { waitThenExecute } from '../../../src/demo/flaws/no-inflight.js';

const request: LayerRequest = { method: 'POST', path: '/p', headers: { 'idempotency-key': '"k"' }, body: Buffer.from('{"a":1}') };

describe('flaw registry', () => {
  it('lists every flaw with a one-line description, bug class and level', () => {
    expect(FLAW_NAMES).toEqual([
      'race',
      'no-fingerprint',
      'no-tenant-scope',
      'regenerate',
      'no-inflight',
      'no-key-required',
      'short-ttl',
      'header-drop',
      'cache-5xx',
      'orphan-lock',
      'poison',
      'fail-open',
      'replay-conflict',
      'retry-mismatch',
      'tick-race',
      'region-local-store',
      'instance-local-lock',
      'body-key',
      'global-lock',
      'inflight-overwrite',
      'redis-get-set',
      'downstream-no-key',
      'downstream-fresh-key',
    ]);
    for (const info of listFlaws()) {
      expect(info.description).not.toMatch(/\n/);
      expect(info.bugClass).toBeTruthy();
      expect(['violation', 'deviation', 'observation']).toContain(info.level);
      expect(info).not.toHaveProperty('apply');
      expect(FLAWS[info.name].name).toBe(info.name);
    }
  });

  it('reports every unknown name at once, with the known ones', () => {
    expect(() => parseFlawNames(['race', 'x', 'y'])).toThrow(/unknown flaws: x, y \(known flaws: race, /);
  });

  it('deduplicates and orders names as the catalogue does', () => {
    expect(parseFlawNames(['poison', 'race', 'poison'])).toEqual(['race', 'poison']);
  });

  it('without flaws, the behaviour is the correct one', () => {
    expect(behaviourWith([])).toBe(correctBehaviour);
  });

  it('each flaw changes only its own decisions', () => {
    for (const name of FLAW_NAMES) {
      // A topology flaw changes no decision of the layer: it wraps the server's store (demo/app/region-store.ts).
      if (FLAWS[name].bugClass === 'topology') {
        expect(behaviourWith([name]), name).toEqual(correctBehaviour);
        continue;
      }
      const flawed = behaviourWith([name]);
      const changed = (Object.keys(correctBehaviour) as (keyof typeof correctBehaviour)[]).filter((d) => flawed[d] !== correctBehaviour[d]);
      // The downstream flaws change how the demo app calls service B, not a decision of the layer.
      if (FLAWS[name].bugClass === 'downstream-propagation') {
        expect(changed, name).toEqual([]);
        continue;
      }
      expect(changed.length, name).toBeGreaterThanOrEqual(1);
      // global-lock: the claim takes the lock, and the refusal it causes answers 423.
      expect(changed.length, name).toBeLessThanOrEqual(name === 'global-lock' ? 2 : 1);
    }
  });

  it('composes flaws that touch the same decision (regenerate + header-drop)', () => {
    const behaviour = behaviourWith(['regenerate', 'header-drop']);
    const replay = behaviour.renderReplay({
      status: 201,
      headers: { 'content-type': 'application/json', location: '/x' },
      body: Buffer.from('{"created":"2000-01-01T00:00:00.000Z"}'),
    });
    expect(replay.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(replay.body.toString()).created).not.toBe('2000-01-01T00:00:00.000Z');
  });
});

describe('flaw decisions through the layer (memory store)', () => {
  const slowHandler = () => {
    let n = 0;
    return vi.fn(async (): Promise<ResponseEnvelope> => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      n += 1;
      return { status: 201, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`run ${n}`) };
    });
  };

  it('race: concurrent duplicates all execute; correct: one does', async () => {
    for (const [flaws, expected] of [
      [['race'], 4],
      [[], 1],
    ] as const) {
      const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global', flaws: flawOption(flaws) });
      const execute = slowHandler();
      await Promise.all(Array.from({ length: 4 }, () => layer.handle(request, execute)));
      expect(execute, flaws.join()).toHaveBeenCalledTimes(expected);
    }
  });

  it('race: after the burst, the first recorded result replays', async () => {
    const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global', flaws: flawOption(['race']) });
    const execute = slowHandler();
    await Promise.all([layer.handle(request, execute), layer.handle(request, execute)]);
    const replay = await layer.handle(request, execute);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(execute).toHaveBeenCalledTimes(2);
  });

  it('no-inflight: the duplicate waits for the original and runs after it', async () => {
    const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global', flaws: flawOption(['no-inflight']) });
    const execute = slowHandler();
    const answers = await Promise.all([layer.handle(request, execute), layer.handle(request, execute)]);
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    expect(answers.map((a) => a.body.toString()).sort()).toEqual(['run 1', 'run 2']);
  });

  it('no-inflight: waiting is bounded by the lease', async () => {
    const store = new MemoryStore();
    await store.begin('stuck', 'fp', { leaseMs: 0 });
    const started = Date.now();
    const answer = await waitThenExecute({
      store,
      key: 'stuck',
      fingerprint: 'fp',
      leaseMs: 80,
      executeUnclaimed: async () => ({ status: 201, headers: {}, body: Buffer.alloc(0) }),
      problems,
    });
    expect(answer.status).toBe(201);
    // Bounded by the 80 ms lease, not by the flaw's 30 s fallback cap: half of that cap cannot be
    // reached by a slow machine, only by ignoring the lease.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('body-key: a changed payload under a used key runs again; an identical retry still replays', async () => {
    const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global', flaws: flawOption(['body-key']) });
    const execute = slowHandler();
    await layer.handle(request, execute);
    expect((await layer.handle(request, execute)).headers['idempotent-replayed']).toBe('true');
    expect((await layer.handle({ ...request, body: Buffer.from('{"a":2}') }, execute)).status).toBe(201);
    expect(execute).toHaveBeenCalledTimes(2);
  });

  it('global-lock: an unrelated key is refused 423 while another runs; a duplicate still gets 409', async () => {
    const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global', flaws: flawOption(['global-lock']) });
    const execute = slowHandler();
    const other = { ...request, headers: { 'idempotency-key': '"other"' } };
    const answers = await Promise.all([layer.handle(request, execute), layer.handle(other, execute), layer.handle(request, execute)]);
    expect(answers.map((a) => a.status)).toEqual([201, 423, 409]);
    // Once it is done, the unrelated key runs.
    expect((await layer.handle(other, execute)).status).toBe(201);
  });

  it('inflight-overwrite: a duplicate in flight runs at once, without waiting', async () => {
    const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global', flaws: flawOption(['inflight-overwrite']) });
    const execute = slowHandler();
    const answers = await Promise.all([layer.handle(request, execute), layer.handle(request, execute), layer.handle(request, execute)]);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(execute).toHaveBeenCalledTimes(3);
    // The first run's result is what later retries get.
    expect((await layer.handle(request, execute)).headers['idempotent-replayed']).toBe('true');
  });

  it('redis-get-set: GET, then SET: copies whose GETs both precede the SET both run', async () => {
    const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global', flaws: flawOption(['redis-get-set']) });
    const execute = slowHandler();
    await Promise.all([layer.handle(request, execute), layer.handle(request, execute)]);
    expect(execute).toHaveBeenCalledTimes(2);
  });

  it('poison: the original is forgotten after a mismatch', async () => {
    const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global', flaws: flawOption(['poison']) });
    const execute = slowHandler();
    await layer.handle(request, execute);
    expect((await layer.handle({ ...request, body: Buffer.from('{"a":2}') }, execute)).status).toBe(422);
    expect((await layer.handle(request, execute)).headers['idempotent-replayed']).toBeUndefined();
    expect(execute).toHaveBeenCalledTimes(2);
  });
});

describe('flaw helpers', () => {
  it('rerenderJsonBody refreshes timestamps, or adds one', () => {
    const now = new Date('2030-01-01T00:00:00.000Z');
    expect(JSON.parse(rerenderJsonBody(Buffer.from('{"id":"x","created":"old"}'), now).toString())).toEqual({ id: 'x', created: now.toISOString() });
    expect(JSON.parse(rerenderJsonBody(Buffer.from('{"id":"x"}'), now).toString())).toEqual({ id: 'x', rendered_at: now.toISOString() });
    expect(rerenderJsonBody(Buffer.from('not json'), now).toString()).toBe('not json');
    // A replay in the original's own millisecond still differs (the detection matrix relies on it).
    const sameMs = Buffer.from(JSON.stringify({ id: 'x', created: now.toISOString() }));
    const again = rerenderJsonBody(sameMs, now);
    expect(again.equals(sameMs)).toBe(false);
    expect(JSON.parse(again.toString())).toEqual({ id: 'x', created: new Date(now.getTime() + 1).toISOString() });
    const stamped = Buffer.from(JSON.stringify({ id: 'x', rendered_at: now.toISOString() }));
    expect(rerenderJsonBody(stamped, now).equals(stamped)).toBe(false);
    expect(rerenderJsonBody(Buffer.from('[1]'), now).toString()).toBe('[1]');
  });

  it('keepOnlyContentType drops every other header', () => {
    expect(keepOnlyContentType({ status: 201, headers: { 'Content-Type': 'a', location: '/x', etag: '"1"' }, body: Buffer.alloc(0) }).headers).toEqual({
      'Content-Type': 'a',
    });
  });
});
