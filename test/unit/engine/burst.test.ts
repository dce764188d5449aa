// The last-byte burst against a real socket server: every copy is complete only once the final
// bytes are released, so the arrival spread the server sees is far below the time to open sockets.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burst } from '../../../src/engine/burst.js';
import { createRunClock } from '../../../src/engine/clock.js';

let server: http.Server;
let url: string;
const arrivals: number[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrivals.push(performance.now());
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ got: Buffer.concat(chunks).toString() }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('burst', () => {
  it('delivers identical complete bodies and releases them together', async () => {
    const clock = createRunClock();
    let seq = 0;
    const seen: number[] = [];
    const body = Buffer.from('{"amount":1250,"currency":"EUR"}');
    arrivals.length = 0;
    let releasedAt = Number.POSITIVE_INFINITY;
    const out = await burst(
      Array.from({ length: 16 }, (_, i) => ({
        request: { method: 'POST', url, headers: { 'content-type': 'application/json' }, body },
        meta: { label: `copy ${i}`, endpoint: 'x' },
      })),
      {
        clock,
        sink: (e) => {
          seen.push(e.seq);
          releasedAt = Math.min(releasedAt, performance.now() - e.durationMs);
        },
        nextSeq: () => ++seq,
        timeoutMs: 5000,
      },
    );
    expect(out).toHaveLength(16);
    expect(seen).toHaveLength(16);
    for (const e of out) {
      expect(e.response?.status).toBe(201);
      expect(JSON.parse(e.response!.body.toString()).got).toBe(body.toString());
    }
    // Released together: no copy completed at the server before the release moment (the last bytes
    // were held back). An ordering, not a spread budget: a busy machine stretches the spread.
    expect(Math.min(...arrivals)).toBeGreaterThanOrEqual(releasedAt - 1);
  });

  it('releases bodyless requests (DELETE) together too: nothing reaches the server before the release', async () => {
    const clock = createRunClock();
    let seq = 0;
    arrivals.length = 0;
    let releasedAt = 0;
    const out = await burst(
      Array.from({ length: 8 }, (_, i) => ({ request: { method: 'DELETE', url, headers: {} }, meta: { label: `copy ${i}`, endpoint: 'x' } })),
      {
        clock,
        sink: (e) => {
          releasedAt = performance.now() - e.durationMs;
        },
        nextSeq: () => ++seq,
        timeoutMs: 5000,
        settleMs: 30,
      },
    );
    expect(out.every((e) => e.response?.status === 201)).toBe(true);
    // Every arrival comes after the release moment (the settle pause kept them all waiting).
    expect(Math.min(...arrivals)).toBeGreaterThanOrEqual(releasedAt - 1);
  });

  it('turns a refused connection into an exchange error, not a throw', async () => {
    const out = await burst(
      [{ request: { method: 'POST', url: 'http://127.0.0.1:1/x', headers: {}, body: Buffer.from('{}') }, meta: { label: 'c', endpoint: 'x' } }],
      { clock: createRunClock(), sink: () => {}, nextSeq: () => 1, timeoutMs: 2000 },
    );
    expect(out[0]!.error).toContain('ECONNREFUSED');
  });
});
