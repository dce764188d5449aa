// The Redis store on a node-redis client, where the client's own behaviour matters and a live Redis
// cannot produce it on demand: reply types an application remapped, a NOSCRIPT that comes back after
// the store's deadline, clients the store must refuse. Stand-ins with node-redis's call shape; the
// store's behaviour on a real node-redis client and server is in test/contract/redis.test.ts.
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { ReferenceConfigError } from '../../../src/reference/config-error.js';
import { createRedisStore } from '../../../src/reference/store/redis/index.js';
import type { NodeRedisClient } from '../../../src/reference/store/redis/index.js';
import { StoreUnavailableError } from '../../../src/reference/store/types.js';

interface Call {
  command: 'evalSha' | 'eval';
  keys: string[];
  arguments: string[];
}

/** A node-redis-shaped client (offline queue off) answering every script call with `answer(call)`, recording the calls. */
function standIn(answer: (call: Call) => Promise<unknown>): NodeRedisClient & { calls: Call[]; options: { disableOfflineQueue: boolean } } {
  const calls: Call[] = [];
  return {
    calls,
    options: { disableOfflineQueue: true },
    evalSha: (_sha, options) => {
      const call: Call = { command: 'evalSha', ...options };
      calls.push(call);
      return answer(call);
    },
    eval: (_script, options) => {
      const call: Call = { command: 'eval', ...options };
      calls.push(call);
      return answer(call);
    },
    del: async () => 1,
  };
}

const noScript = (): Error => Object.assign(new Error('NOSCRIPT No matching script. Please use EVAL.'), { name: 'ErrorReply' });

describe('Redis store on a node-redis client', () => {
  it.each([
    ['numbers', 1, 0],
    ['strings (an application type mapping)', '1', '0'],
    ['bigints', 1n, 0n],
  ])('reads the 1/0 answers of complete, release and extend as %s', async (_label, yes, no) => {
    let reply: unknown = yes;
    const store = createRedisStore({ redis: standIn(async () => reply), prefix: 't:' });
    const stored = { status: 201, headers: {}, bodyBase64: '' };
    expect(await store.extend('k', 'token', 1000)).toBe(true);
    expect(await store.complete('k', 'token', stored, 1000)).toBe(true);
    expect(await store.release('k', 'token')).toBe(true);
    reply = no;
    expect(await store.extend('k', 'token', 1000)).toBe(false);
    expect(await store.complete('k', 'token', stored, 1000)).toBe(false);
    expect(await store.release('k', 'token')).toBe(false);
  });

  it('refuses an answer that is neither 1 nor 0 as unreadable (fail closed), never as "claim lost"', async () => {
    const store = createRedisStore({ redis: standIn(async () => 'OK'), prefix: 't:' });
    await expect(store.extend('k', 'token', 1000)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.release('k', 'token')).rejects.toThrow(/expected 1 or 0/);
  });

  it('sends every argument as a string, the record key as the one key', async () => {
    const client = standIn(async () => ['new']);
    const store = createRedisStore({ redis: client, prefix: 't:' });
    expect((await store.begin('order-1', 'fp', { leaseMs: 5000 })).kind).toBe('new');
    expect(client.calls).toHaveLength(1);
    expect(client.calls[0]!.keys).toEqual(['t:{order-1}']);
    expect(client.calls[0]!.arguments.every((argument) => typeof argument === 'string')).toBe(true);
    expect(client.calls[0]!.arguments[2]).toBe('5000');
  });

  it('falls back to EVAL on NOSCRIPT within the deadline', async () => {
    const client = standIn(async (call) => {
      if (call.command === 'evalSha') throw noScript();
      return ['new'];
    });
    const store = createRedisStore({ redis: client, prefix: 't:', timeoutMs: 60_000 });
    expect((await store.begin('k', 'fp', { leaseMs: 5000 })).kind).toBe('new');
    expect(client.calls.map((c) => c.command)).toEqual(['evalSha', 'eval']);
  });

  it('sends no EVAL after a NOSCRIPT that came back past the deadline (the call was answered 503 already)', async () => {
    let answerNoScript: () => void = () => {};
    const client = standIn((call) => {
      if (call.command === 'eval') return Promise.resolve(['new']);
      // The NOSCRIPT is released by the test, only once the store has answered the call.
      return new Promise((_, reject) => (answerNoScript = () => reject(noScript())));
    });
    const store = createRedisStore({ redis: client, prefix: 't:', timeoutMs: 20 });
    await expect(store.begin('k', 'fp', { leaseMs: 5000 })).rejects.toThrow(/got no answer within 20 ms/);
    answerNoScript();
    // Let the rejection and any fallback it would start run.
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(client.calls.map((c) => c.command)).toEqual(['evalSha']);
  });

  it('refuses a client with the offline queue on, and one in legacy mode, naming the option', () => {
    expect(() => createRedisStore({ redis: createClient({ url: 'redis://127.0.0.1:1' }) })).toThrow(ReferenceConfigError);
    expect(() => createRedisStore({ redis: createClient({ url: 'redis://127.0.0.1:1' }) })).toThrow(/disableOfflineQueue: true/);
    const legacy = createClient({ url: 'redis://127.0.0.1:1', legacyMode: true, disableOfflineQueue: true });
    expect(() => createRedisStore({ redis: legacy })).toThrow(/legacyMode/);
    // A legacy client's promise API (`v4`) shows no options: its queue may be on, so it is refused too.
    expect(() => createRedisStore({ redis: legacy.v4 as NodeRedisClient })).toThrow(/disableOfflineQueue: true/);
    // So is any client whose options cannot be read (created without options: the queue is on).
    const { options: _options, ...optionless } = standIn(async () => 1);
    expect(() => createRedisStore({ redis: optionless })).toThrow(/disableOfflineQueue: true/);
    // The way out the message names works.
    expect(createRedisStore({ redis: legacy.duplicate({ legacyMode: false, disableOfflineQueue: true }) }).name).toBe('redis');
  });

  it('refuses a timeoutMs setTimeout cannot wait for', () => {
    expect(() => createRedisStore({ redis: standIn(async () => 1), timeoutMs: 2 ** 31 })).toThrow(/up to 2147483647/);
  });
});
