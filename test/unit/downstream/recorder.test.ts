// The downstream recorder on a real loopback socket: what it records, how it answers (it never fails
// on purpose: failures are the fault proxy's, test/unit/downstream/service.test.ts), and that its
// memory stays bounded by its ring.
import { createHash } from 'node:crypto';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { CALLS_PATH, Ring, startDownstreamRecorder, unquoteKey, type DownstreamRecorder } from '../../../src/downstream/index.js';

const open: DownstreamRecorder[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

async function recorder(options: Parameters<typeof startDownstreamRecorder>[0] = {}): Promise<DownstreamRecorder> {
  const r = await startDownstreamRecorder(options);
  open.push(r);
  return r;
}

const post = (url: string, headers: Record<string, string>, body = '{"amount":1}') =>
  request(`${url}/charges`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('downstream recorder', () => {
  it('records method, path, key (unquoted), correlation id, header names and body hash, then answers the configured response', async () => {
    const r = await recorder({ response: { status: 202, body: '{"ok":true}' } });
    expect(r.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await post(r.url, { 'idempotency-key': '"k-1"', 'x-request-id': 'corr-1', authorization: 'Bearer secret' });
    expect(res.statusCode).toBe(202);
    expect(await res.body.text()).toBe('{"ok":true}');
    const [call] = r.calls();
    expect(call).toMatchObject({ seq: 1, method: 'POST', path: '/charges', key: 'k-1', correlationId: 'corr-1', answer: 202, bodyBytes: 12 });
    expect(call!.bodySha256).toBe(createHash('sha256').update('{"amount":1}').digest('hex'));
    expect(call!.headerNames).toContain('authorization');
    // A credential's name is an observation; its value is never kept.
    expect(JSON.stringify(call)).not.toContain('secret');
    expect(Math.abs(call!.arrivedAt - Date.now())).toBeLessThan(60_000);
  });

  it('records a call without a key as key null, and serves the calls on its query route (not recorded itself)', async () => {
    const r = await recorder();
    await (await post(r.url, {})).body.text();
    await (await post(r.url, { 'idempotency-key': 'k-2' })).body.text();
    const res = await request(`${r.url}${CALLS_PATH}?since=1`);
    const doc = (await res.body.json()) as { calls: Array<{ seq: number; key: string | null }>; dropped: number };
    expect(doc.calls.map((c) => [c.seq, c.key])).toEqual([[2, 'k-2']]);
    expect(r.calls().map((c) => c.key)).toEqual([null, 'k-2']);
    expect(r.cursor()).toBe(2);
  });

  it('answers after its configured latency, having recorded the call first', async () => {
    const r = await recorder({ response: { latencyMs: 50 } });
    const pending = post(r.url, { 'idempotency-key': 'slow' });
    // Recorded on arrival, before the answer: poll by count, not by clock.
    for (let i = 0; i < 500 && r.calls().length === 0; i++) await new Promise((res) => setTimeout(res, 2));
    expect(r.calls()).toMatchObject([{ key: 'slow', answer: 'pending' }]);
    const res = await pending;
    await res.body.text();
    expect(r.calls()[0]!.answer).toBe(201);
  });

  it('keeps only the newest maxCalls calls and counts the forgotten ones', async () => {
    const r = await recorder({ maxCalls: 3 });
    for (let i = 1; i <= 7; i++) await (await post(r.url, { 'idempotency-key': `k${i}` })).body.text();
    expect(r.calls().map((c) => c.key)).toEqual(['k5', 'k6', 'k7']);
    expect(r.dropped()).toBe(4);
    expect(r.calls(6).map((c) => c.seq)).toEqual([7]);
  });
});

describe('ring', () => {
  it('holds at most its capacity, oldest first', () => {
    const ring = new Ring<{ seq: number }>(2);
    for (let seq = 1; seq <= 5; seq++) ring.push({ seq });
    expect(ring.since().map((x) => x.seq)).toEqual([4, 5]);
    expect([ring.size, ring.dropped]).toEqual([2, 3]);
    expect(() => new Ring(0)).toThrow(RangeError);
  });

  it('unquotes sf-string keys only', () => {
    expect(unquoteKey('"a\\"b"')).toBe('a"b');
    expect(unquoteKey('raw')).toBe('raw');
  });
});
