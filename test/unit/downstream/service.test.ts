// A downstream recorder behind the fault proxy (what the audit and `idemaudit downstream` start):
// the app calls the proxy, which forwards to the recorder. Without faults the proxy is transparent;
// each fault of the downstream's `faults:` is observable (at the caller, in the recorded calls and in
// the proxy's events), and a one-shot fault reaches exactly one call. Bounded by counts.
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startDownstreamService, type DownstreamService, type DownstreamServiceOptions } from '../../../src/audit/downstream.js';
import { CALLS_PATH, type RecordedCall } from '../../../src/downstream/index.js';
import type { FaultEvent } from '../../../src/faults/index.js';
import { failureFault } from '../../../src/scenario/downstream.js';

const open: DownstreamService[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

let events: FaultEvent[] = [];
async function service(options: Partial<DownstreamServiceOptions> = {}): Promise<DownstreamService> {
  events = [];
  const s = await startDownstreamService({
    port: 0,
    seed: 'svc',
    onFault: (e) => events.push(e),
    response: { status: 201, body: '{"charged":true}' },
    ...options,
  });
  open.push(s);
  return s;
}

interface Answer {
  status?: number;
  body?: string;
  headers?: Record<string, unknown>;
  error?: string;
}

/** One call on its own connection; a reset is an answer too. */
async function charge(url: string, key: string, extra: Record<string, string> = {}): Promise<Answer> {
  try {
    const res = await request(`${url}/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, 'x-request-id': `corr-${key}`, connection: 'close', ...extra },
      body: `{"for":"${key}"}`,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
  } catch (err) {
    return { error: (err as { code?: string }).code ?? String(err) };
  }
}

/** A call without volatile fields (seq, arrival time) for comparing two recorders' records. */
const stable = (c: RecordedCall) => ({ ...c, seq: 0, arrivedAt: 0 });

describe('downstream recorder behind the fault proxy', () => {
  it('the declared port is the proxy: the app calls it, the recorder listens on another (ephemeral) port', async () => {
    const s = await service();
    expect(s.url).toBe(s.proxy.url);
    expect(s.port).toBe(s.proxy.port);
    expect(s.recorder.port).not.toBe(s.port);
    expect(s.recorder.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('without faults the proxy is transparent: same answers and same recorded calls as calling the recorder directly', async () => {
    const s = await service();
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5'];
    const viaProxy: Answer[] = [];
    for (const k of keys) viaProxy.push(await charge(s.url, k));
    const proxied = s.recorder.calls();
    const direct: Answer[] = [];
    for (const k of keys) direct.push(await charge(s.recorder.url, k));
    const directCalls = s.recorder.calls(proxied.at(-1)!.seq);
    // Every call recorded, once, in order, with what it carried.
    expect(proxied.map((c) => [c.seq, c.key, c.correlationId, c.answer])).toEqual(keys.map((k, i) => [i + 1, k, `corr-${k}`, 201]));
    expect(viaProxy.map((a) => [a.status, a.body, a.headers!['content-type']])).toEqual(direct.map((a) => [a.status, a.body, a.headers!['content-type']]));
    expect(proxied.map(stable)).toEqual(directCalls.map(stable));
    expect(s.proxy.stats()).toMatchObject({ requests: 5, transparent: 5, proxyErrors: 0, faults: {} });
    expect(events).toEqual([]);
  });

  it('serves the recorded calls on its query route through the proxy, never faulted, never recorded', async () => {
    const s = await service({ faults: [{ name: 'reset-before-upstream', probability: 1 }] });
    await charge(s.url, 'lost');
    const res = await request(`${s.url}${CALLS_PATH}`);
    const doc = (await res.body.json()) as { calls: unknown[] };
    expect(res.statusCode).toBe(200);
    // reset-before-upstream: the charge never reached B; the query route passed the fault untouched.
    expect(doc.calls).toEqual([]);
    expect(s.recorder.cursor()).toBe(0);
  });

  it('latency: B sees the call only after the delay; the answer arrives unchanged', async () => {
    const s = await service({ faults: [{ name: 'latency', probability: 1, ms: 150, jitterMs: 0 }] });
    const sentAt = Date.now();
    const answer = await charge(s.url, 'slow');
    expect([answer.status, answer.body]).toEqual([201, '{"charged":true}']);
    const [call] = s.recorder.calls();
    expect(events).toMatchObject([{ fault: 'latency', delayMs: 150, key: 'slow' }]);
    // The recorder's clock: the call arrived after the proxy held it (timers may fire 1 ms early).
    expect(call!.arrivedAt - sentAt).toBeGreaterThanOrEqual(149);
  });

  it('lost response: B commits (recorded, answered 201), the caller gets a reset and no answer', async () => {
    const s = await service({ faults: [{ name: 'drop-response-after-upstream', probability: 1 }] });
    const answer = await charge(s.url, 'lost');
    expect(answer.status).toBeUndefined();
    expect(answer.error).toBeDefined();
    await s.recorder.settle();
    expect(s.recorder.calls()).toMatchObject([{ key: 'lost', answer: 201 }]);
    expect(events).toMatchObject([{ fault: 'drop-response-after-upstream', key: 'lost', upstreamStatuses: [201] }]);
  });

  it('failure after commit: B commits, the caller gets the configured 5xx instead of its answer', async () => {
    const s = await service({ faults: [{ name: 'error-after-upstream', probability: 1, status: 503 }] });
    const answer = await charge(s.url, 'failed');
    expect(answer.status).toBe(503);
    expect(answer.body).not.toContain('charged');
    expect(s.recorder.calls()).toMatchObject([{ key: 'failed', answer: 201 }]);
    expect(events).toMatchObject([{ fault: 'error-after-upstream', upstreamStatuses: [201] }]);
  });

  it('a fault with match and probability hits only matching calls, and the same seed decides the same calls', async () => {
    const decisions = async (): Promise<Array<number | undefined>> => {
      const s = await service({
        seed: 'same',
        faults: [{ name: 'gateway-status', probability: 0.5, status: 504, match: { method: 'POST', path: '/charges' } }],
      });
      const out: Array<number | undefined> = [];
      for (let i = 0; i < 12; i++) out.push((await charge(s.url, `p${i}`)).status);
      // Every call reached B, whatever the caller got.
      expect(s.recorder.calls()).toHaveLength(12);
      await s.close();
      return out;
    };
    const first = await decisions();
    expect(first).toContain(504);
    expect(first).toContain(201);
    expect(await decisions()).toEqual(first);
  });

  it("a one-shot (the downstream-failure check's) reaches only the next call; the scenario's failure: maps onto it", async () => {
    const s = await service();
    expect(failureFault({ mode: 'status', status: 503 })).toEqual({ name: 'error-after-upstream', probability: 1, status: 503 });
    expect(failureFault({ mode: 'drop', status: 503 })).toEqual({ name: 'drop-response-after-upstream', probability: 1 });
    const armed = s.proxy.injectNext(failureFault({ mode: 'status', status: 502 }));
    const answers = [];
    for (const k of ['a', 'b', 'c']) answers.push((await charge(s.url, k)).status);
    expect(answers).toEqual([502, 201, 201]);
    expect(armed.event).toMatchObject({ fault: 'error-after-upstream', key: 'a' });
    expect(s.recorder.calls().map((c) => [c.key, c.answer])).toEqual([
      ['a', 201],
      ['b', 201],
      ['c', 201],
    ]);
  });
});
