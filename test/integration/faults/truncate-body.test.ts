// truncate-body, read off the wire: the head announces the full length, half the body follows,
// then the connection ends. A raw socket shows exactly which bytes arrived.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../../src/faults/index.js';
import { rawExchange, RESET_CODES, send, startUpstream, type TestUpstream } from './helpers.js';

let upstream: TestUpstream;
let proxy: FaultProxy;

beforeAll(async () => {
  upstream = await startUpstream();
  proxy = await startFaultProxy({ upstream: upstream.url, seed: 'cut', faults: [{ name: 'truncate-body', match: { path: '/payments' } }] });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

function split(bytes: Buffer): { head: string; body: Buffer } {
  const end = bytes.indexOf('\r\n\r\n');
  return { head: bytes.subarray(0, end).toString(), body: bytes.subarray(end + 4) };
}

describe('truncate-body', () => {
  it('sends the status and full content-length, then half the body, then closes', async () => {
    const before = upstream.hits;
    const body = '{"amount":1250}';
    const { bytes, ending } = await rawExchange(
      proxy.url,
      `POST /payments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    const { head, body: received } = split(bytes);
    expect(head).toMatch(/^HTTP\/1\.1 201 /);
    const declared = Number(/content-length: (\d+)/i.exec(head)![1]);
    expect(declared).toBeGreaterThan(10);
    expect(received.length).toBe(Math.floor(declared / 2));
    expect(['end', ...RESET_CODES]).toContain(ending);
    expect(upstream.hits).toBe(before + 1);
  });

  it('makes an HTTP client fail on the body, not succeed', async () => {
    const res = await send(`${proxy.url}/payments`, { body: '{}' });
    expect(res.status).toBeUndefined();
    expect(res.error).toBeDefined();
  });

  it('leaves requests outside its match alone', async () => {
    const res = await send(`${proxy.url}/other`, { body: '{}' });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body!.toString()).url).toBe('/other');
  });
});
