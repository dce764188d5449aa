// Small pure pieces of the chaos engine: attempt outcomes, timing, fault selection and description,
// the reference server's health document, wire keys, and the store outage switch.
import { describe, expect, it } from 'vitest';
import { unquoteKey } from '../../../src/audit/chaos-port.js';
import { parseHealth } from '../../../src/core/health.js';
import { identityOf, isTimeout, outcomeOfExchange } from '../../../src/checks/chaos/outcome.js';
import { declaredFaults, describeFault, FAULT_KINDS, midFlightTimeout, notSent } from '../../../src/checks/chaos/plan.js';
import { parseFaultSpec } from '../../../src/faults/index.js';
import { StoreOutageSwitch } from '../../../src/reference/store/outage.js';
import { MemoryStore } from '../../../src/reference/store/memory.js';
import { StoreUnavailableError } from '../../../src/reference/store/types.js';
import { EndpointSchema } from '../../../src/scenario/schema.js';
import { ex } from '../../helpers/exchange.js';

describe('outcomeOfExchange', () => {
  it('answers are ok or fail by status; a missing answer is unknown unless the request never left', () => {
    expect(outcomeOfExchange(ex({ status: 201 }))).toEqual({ kind: 'ok', status: 201 });
    expect(outcomeOfExchange(ex({ status: 409, headers: { 'retry-after': '1' } }))).toEqual({ kind: 'fail', status: 409, retryAfter: '1' });
    expect(outcomeOfExchange(ex({ error: 'timeout after 50 ms' }))).toEqual({ kind: 'unknown', error: 'timeout after 50 ms' });
    expect(outcomeOfExchange(ex({ error: 'connection reset (ECONNRESET)' })).kind).toBe('unknown');
    expect(outcomeOfExchange(ex({ error: 'socket closed by the other side (UND_ERR_SOCKET)' })).kind).toBe('unknown');
    expect(outcomeOfExchange(ex({ error: 'connection refused (ECONNREFUSED)' })).kind).toBe('fail');
    expect(outcomeOfExchange(ex({ error: 'dry run: not sent' })).kind).toBe('fail');
  });

  it('tells timeouts, refused sends and identities apart', () => {
    expect(isTimeout(ex({ error: 'timeout after 50 ms' }))).toBe(true);
    expect(isTimeout(ex({ error: 'connection reset' }))).toBe(false);
    expect(notSent(ex({ error: 'not sent: request cap of 10 reached' }))).toBe(true);
    expect(notSent(ex({ error: 'timeout after 1 ms' }))).toBe(false);
    expect(identityOf(ex({ status: 201, body: { id: 'pay_1' } }), '/id')).toBe('pay_1');
    expect(identityOf(ex({ status: 201, body: { id: 7 } }), '/id')).toBe('7');
    expect(identityOf(ex({ status: 409, body: { id: 'x' } }), '/id')).toBeUndefined();
    expect(identityOf(ex({ status: 201, body: { id: 'x' } }), undefined)).toBeUndefined();
  });
});

describe('planning', () => {
  it('times out half way through the processing that follows the proxy delay', () => {
    expect(midFlightTimeout(100)).toBe(50);
    expect(midFlightTimeout(120, 20)).toBe(70);
    expect(midFlightTimeout(0)).toBe(1);
    expect(midFlightTimeout(10, 30)).toBe(30);
  });

  it('takes the endpoint faults of the kinds a check injects, in declaration order', () => {
    const endpoint = EndpointSchema.parse({
      name: 'p',
      path: '/p',
      faults: [
        { name: 'duplicate-upstream', delayMs: 40 },
        { name: 'latency', ms: 20 },
        { name: 'stall-response' },
        { name: 'truncate-body', probability: 0.5 },
      ],
    });
    expect(declaredFaults(endpoint, FAULT_KINDS['timeout-retry']).map((f) => f.name)).toEqual(['latency']);
    expect(declaredFaults(endpoint, FAULT_KINDS['lost-response']).map((f) => f.name)).toEqual(['stall-response', 'truncate-body']);
    expect(declaredFaults(endpoint, FAULT_KINDS['gateway-duplicate'])).toEqual([{ name: 'duplicate-upstream', delayMs: 40, probability: 1 }]);
    expect(declaredFaults(EndpointSchema.parse({ name: 'q', path: '/q' }), FAULT_KINDS['lost-response'])).toEqual([]);
  });

  it('describes a fault by its options', () => {
    expect(describeFault(parseFaultSpec({ name: 'stall-response', holdMs: 500 }))).toBe('stall-response holdMs=500');
    expect(describeFault(parseFaultSpec({ name: 'drop-response-after-upstream', probability: 0.25, match: { path: '/p' } }))).toBe(
      'drop-response-after-upstream p=0.25',
    );
  });
});

describe('the reference target', () => {
  it('reads the health document, including the store-outage switch', () => {
    expect(
      parseHealth({
        ok: true,
        store: 'redis',
        flaws: ['orphan-lock'],
        settings: { leaseMs: 0, processingMs: 100, abandonOnDisconnect: true, keyHeader: 'Idempotency-Key' },
        faults: { storeOutage: '/_idemaudit/faults/store-outage', storeOutageActive: false },
      }),
    ).toEqual({
      store: 'redis',
      flaws: ['orphan-lock'],
      leaseMs: 0,
      processingMs: 100,
      abandonOnDisconnect: true,
      storeOutagePath: '/_idemaudit/faults/store-outage',
    });
    expect(parseHealth({ ok: true, store: 'memory', settings: {} })).toEqual({ store: 'memory' });
    expect(parseHealth({ status: 'up' })).toBeUndefined();
    expect(parseHealth(null)).toBeUndefined();
  });

  it('unquotes keys as the proxy saw them on the wire', () => {
    expect(unquoteKey('"ia-1"')).toBe('ia-1');
    expect(unquoteKey('"a\\"b\\\\c"')).toBe('a"b\\c');
    expect(unquoteKey('bare-key')).toBe('bare-key');
    expect(unquoteKey(undefined)).toBeUndefined();
  });
});

describe('StoreOutageSwitch', () => {
  it('forwards until triggered, fails every call while on, and recovers by itself', async () => {
    let now = 1_000;
    const outage = new StoreOutageSwitch(() => now);
    const store = outage.wrap(new MemoryStore({ now: () => now }));
    expect(store.name).toBe('memory');
    const begun = await store.begin('k', 'fp', { leaseMs: 1000 });
    expect(begun.kind).toBe('new');

    expect(outage.trigger(500)).toBe(1_500);
    expect(outage.active).toBe(true);
    await expect(store.begin('k2', 'fp', { leaseMs: 1000 })).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.lookup('k', 'fp')).rejects.toThrow(/outage injected/);
    await expect(store.forget('k')).rejects.toBeInstanceOf(StoreUnavailableError);

    now = 1_500;
    expect(outage.active).toBe(false);
    expect((await store.lookup('k', 'fp')).kind).toBe('in-flight');
    await store.close();
  });

  it('0 ends an outage at once; out-of-range lengths are refused', () => {
    const outage = new StoreOutageSwitch(() => 0);
    outage.trigger(10_000);
    outage.trigger(0);
    expect(outage.active).toBe(false);
    expect(() => outage.trigger(-1)).toThrow(RangeError);
    expect(() => outage.trigger(1.5)).toThrow(RangeError);
    expect(() => outage.trigger(600_001)).toThrow(RangeError);
  });
});

describe('proxy command lines', () => {
  it('turns specs back into --fault flags that start the same proxy on the same port', async () => {
    const { faultFlag, proxyCommand } = await import('../../../src/audit/chaos-port.js');
    const { parseFaultFlag } = await import('../../../src/cli/commands/proxy.js');
    const specs = [
      parseFaultSpec({ name: 'duplicate-upstream', delayMs: 40 }),
      parseFaultSpec({ name: 'gateway-status', status: 504, probability: 0.5, match: { method: 'POST', path: '/payments' } }),
    ];
    expect(specs.map(faultFlag)).toEqual(['duplicate-upstream,delayMs=40', 'gateway-status:0.5,status=504,method=POST,path=/payments']);
    // Round trip through the CLI's own parser.
    for (const spec of specs) expect(parseFaultFlag(faultFlag(spec))).toEqual(spec);
    expect(proxyCommand('http://127.0.0.1:4000', 41234, 's/chaos/gateway-duplicate/create-payment/duplicate/0', specs.slice(0, 1))).toBe(
      'idemaudit proxy --upstream http://127.0.0.1:4000 --listen 41234 --seed s/chaos/gateway-duplicate/create-payment/duplicate/0 --fault duplicate-upstream,delayMs=40',
    );
    expect(proxyCommand('http://h', 1, "it's", [])).toBe("idemaudit proxy --upstream http://h --listen 1 --seed 'it'\\''s'");
  });
});
