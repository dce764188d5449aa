// The socket transport against real node:net / node:http servers that answer in awkward ways:
// chunked bodies, connection: close after an answer, resets,
// silence (timeouts), and replay markers. Every answer is classified; nothing hangs.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runLoad } from '../../../src/engine/load/index.js';
import type { LoadOptions } from '../../../src/engine/load/types.js';

const servers: Array<Server | NetServer> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    if ('closeAllConnections' in s) s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

function listen(s: Server | NetServer): Promise<string> {
  servers.push(s);
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as { port: number }).port}`)));
}

function options(origin: string, over: Partial<LoadOptions> = {}): LoadOptions {
  const body = Buffer.from('{"amount":100}');
  return {
    template: {
      endpoint: 'e',
      origin,
      path: '/p',
      method: 'POST',
      headers: ['content-type', 'application/json'],
      keyHeader: 'idempotency-key',
      keyFormat: 'sf-string',
      body: () => body,
    },
    executor: { name: 'constant-connections', connections: 4, durationMs: 60_000 },
    maxRequests: 200,
    timeoutMs: 2000,
    duplicates: 0,
    inFlightDuplicates: 0,
    seed: 'socket',
    statuses: { inFlight: [409], mismatch: [422] },
    ...over,
  };
}

describe('socket transport', () => {
  it('reads chunked, close-delimited and connection: close answers, and sends the key and body intact', async () => {
    const keys = new Set<string>();
    let n = 0;
    const origin = await listen(
      createHttpServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          expect(body).toBe('{"amount":100}');
          keys.add(String(req.headers['idempotency-key']));
          const i = n++;
          if (i % 3 === 0) {
            res.writeHead(201, { 'content-type': 'application/json' }); // chunked
            res.write('{"id":');
            res.end(`"${i}"}`);
          } else if (i % 3 === 1) {
            res.writeHead(201, { connection: 'close', 'content-length': '2' });
            res.end('ok');
          } else {
            res.writeHead(202, { 'idempotent-replayed': 'true', 'content-length': '0' });
            res.end();
          }
        });
      }),
    );
    const r = await runLoad(options(origin));
    expect(r.completed).toBe(200);
    expect(r.errors).toEqual({});
    expect(r.statuses).toEqual({ 201: 134, 202: 66 });
    // A marked 2xx is a replay even for a fresh key; the rest are first executions.
    expect(r.stats.count('replay')).toBe(66);
    expect(r.stats.count('first')).toBe(134);
    expect(keys.size).toBe(200);
    expect([...keys].every((k) => /^"ia-load-[0-9a-f]+-[0-9a-z]+"$/.test(k))).toBe(true);
  }, 20_000);

  it('keeps headers and bodies of requests that need them (duplicates compared byte for byte)', async () => {
    const stored = new Map<string, string>();
    let created = 0;
    const origin = await listen(
      createHttpServer((req, res) => {
        req.resume();
        req.on('end', () => {
          const key = String(req.headers['idempotency-key']);
          let doc = stored.get(key);
          const replay = doc !== undefined;
          if (!doc) stored.set(key, (doc = JSON.stringify({ id: `r${created++}` })));
          res.writeHead(201, { 'content-type': 'application/json', ...(replay ? { 'idempotent-replayed': 'true' } : {}) });
          res.end(doc); // chunked framing
        });
      }),
    );
    const r = await runLoad(options(origin, { duplicates: 0.3, inFlightDuplicates: 0, identity: '/id' }));
    expect(r.completed).toBe(200);
    expect(r.duplicates.replaysCompared).toBeGreaterThan(20);
    expect(r.duplicates.identityDuplicates).toBe(0);
    expect(r.duplicates.replayMismatches).toBe(0);
    expect(r.samples[0]!.response!.headers['content-type']).toBe('application/json');
  }, 20_000);

  it('a server that re-executes duplicates is caught (identity differs)', async () => {
    let created = 0;
    const origin = await listen(
      createHttpServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: `r${created++}` }));
        });
      }),
    );
    const r = await runLoad(options(origin, { duplicates: 0.3, inFlightDuplicates: 0, identity: '/id' }));
    expect(r.duplicates.identityDuplicates).toBeGreaterThan(20);
    expect(r.evidence.identity.length).toBeGreaterThan(0);
  }, 20_000);

  it('resets and silence become errors and timeouts, and the run ends', async () => {
    let i = 0;
    const origin = await listen(
      createNetServer((socket) => {
        socket.on('error', () => {});
        socket.once('data', () => {
          const mine = i++;
          if (mine % 2 === 0) socket.resetAndDestroy();
          // odd: never answer (headers timeout)
        });
      }),
    );
    const r = await runLoad(
      options(origin, { maxRequests: 8, timeoutMs: 300, executor: { name: 'constant-connections', connections: 2, durationMs: 10_000 } }),
    );
    expect(r.completed).toBe(8);
    expect(r.stats.count('timeout')).toBeGreaterThan(0);
    expect(r.stats.count('error')).toBeGreaterThan(0);
    expect(Object.keys(r.errors).join()).toMatch(/UND_ERR_HEADERS_TIMEOUT/);
    expect(Object.keys(r.errors).join()).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
  }, 20_000);
});
