// FaultProxy.injectNext: a fault armed for the next request only, ahead of the configured specs,
// counted in the stats; cancel() disarms one that no request took; transparent paths never take one.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultEvent, type FaultProxy } from '../../../src/faults/index.js';
import { RESET_CODES, send, startUpstream, type TestUpstream } from './helpers.js';

let upstream: TestUpstream;
let proxy: FaultProxy | undefined;
let events: FaultEvent[];

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(() => upstream.close());
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function start(options: { transparentPaths?: string[] } = {}): Promise<FaultProxy> {
  events = [];
  proxy = await startFaultProxy({ upstream: upstream.url, seed: 'one-shot', faults: [], onEvent: (e) => events.push(e), ...options });
  return proxy;
}

const post = (p: FaultProxy, key: string, path = '/charges') => send(`${p.url}${path}`, { body: '{}', headers: { 'idempotency-key': key } });

describe('injectNext', () => {
  it('injects into exactly the next request; the ones after it pass untouched', async () => {
    const p = await start();
    const armed = p.injectNext({ name: 'error-after-upstream', status: 503 });
    expect([armed.taken, armed.event]).toEqual([false, undefined]);
    const answers = [];
    for (const key of ['a', 'b', 'c']) answers.push((await post(p, key)).status);
    expect(answers).toEqual([503, 201, 201]);
    expect(armed.taken).toBe(true);
    expect(armed.event).toMatchObject({ fault: 'error-after-upstream', key: 'a', upstreamStatuses: [201] });
    expect(events.map((e) => e.key)).toEqual(['a']);
    expect(p.stats()).toMatchObject({ requests: 3, transparent: 2, faults: { 'error-after-upstream': { injected: 1, passed: 0 } } });
  });

  it('queues: n arms hit the next n requests, in order', async () => {
    const p = await start();
    p.injectNext({ name: 'drop-response-after-upstream' });
    p.injectNext({ name: 'gateway-status', status: 504 });
    const first = await post(p, 'a');
    const second = await post(p, 'b');
    const third = await post(p, 'c');
    expect(RESET_CODES).toContain(first.error);
    expect([second.status, third.status]).toEqual([504, 201]);
  });

  it('cancel() disarms a fault no request took: it never reaches a later request', async () => {
    const p = await start();
    const before = upstream.hits;
    p.injectNext({ name: 'reset-before-upstream' }).cancel();
    expect((await post(p, 'later')).status).toBe(201);
    expect(upstream.hits).toBe(before + 1);
    expect(events).toEqual([]);
  });

  it('runs before the configured specs and never on a transparent path', async () => {
    events = [];
    proxy = await startFaultProxy({
      upstream: upstream.url,
      seed: 'one-shot',
      faults: [{ name: 'gateway-status' }],
      transparentPaths: ['/_downstream/calls'],
      onEvent: (e) => events.push(e),
    });
    const armed = proxy.injectNext({ name: 'error-after-upstream', status: 507 });
    // The transparent path skips both the armed one-shot and the configured spec.
    expect((await send(`${proxy.url}/_downstream/calls?since=0`, { method: 'GET' })).status).toBe(201);
    expect(armed.taken).toBe(false);
    expect((await post(proxy, 'x')).status).toBe(507);
    expect((await post(proxy, 'y')).status).toBe(502);
    expect(events.map((e) => e.fault)).toEqual(['error-after-upstream', 'gateway-status']);
  });

  it('validates the spec like a configured one', async () => {
    const p = await start();
    expect(() => p.injectNext({ name: 'error-after-upstream', status: 418 })).toThrow(/one-shot fault \(error-after-upstream\)/);
  });
});
