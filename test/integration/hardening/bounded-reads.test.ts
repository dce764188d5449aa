// Issue 13: a target streaming an endless body costs the CLI time up to a timeout, never memory.
// Each case counts the bytes the hostile server managed to write before the client hung up.
import { afterEach, describe, expect, it } from 'vitest';
import { detectLedger } from '../../../src/audit/target.js';
import { runLoad } from '../../../src/engine/load/index.js';
import { MAX_RESPONSE_BYTES } from '../../../src/engine/load/flight.js';
import { AUX_BODY_BYTES, readCapped, readSmallJson } from '../../../src/engine/read-capped.js';
import { Readable } from 'node:stream';
import { endlessBodyServer, endlessHeadersServer, type HostileServer } from '../../support/hostile-servers.js';

let server: (HostileServer & { written: () => number }) | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// Kernel socket buffers on loopback hold a few MiB beyond what the reader took.
const SOCKET_SLACK = 16 * 1024 * 1024;

describe('the capped reader', () => {
  it('keeps at most `keep` bytes and stops after `stopAfter`', async () => {
    const chunks = Array.from({ length: 100 }, () => Buffer.alloc(1000, 1));
    let pulled = 0;
    const stream = Readable.from(
      (function* () {
        for (const c of chunks) {
          pulled += 1;
          yield c;
        }
      })(),
    );
    const r = await readCapped(stream, 1500, 5000);
    expect(r.body.length).toBe(1500);
    expect(r.truncated).toBe(true);
    expect(r.stopped).toBe(true);
    expect(pulled).toBeLessThan(10);
  });

  it('readSmallJson gives up on a document longer than AUX_BODY_BYTES', async () => {
    const big = Buffer.from(JSON.stringify({ ok: true, pad: 'x'.repeat(AUX_BODY_BYTES) }));
    expect(await readSmallJson(Readable.from([big]))).toBeUndefined();
    expect(await readSmallJson(Readable.from([Buffer.from('{"ok":true}')]))).toEqual({ ok: true });
  });
});

describe('reads the CLI makes against an endless body', () => {
  it('the health preflight (ledger detection) stops reading after a small document', async () => {
    server = await endlessBodyServer();
    expect(await detectLedger(server.url, 5000)).toBeUndefined();
    expect(server.hits.get('GET /_idemaudit/health')).toBe(1);
    expect(server.written()).toBeLessThan(SOCKET_SLACK);
  });

  it('load aborts a response past its byte cap instead of holding it until the timeout', async () => {
    server = await endlessBodyServer();
    const r = await runLoad(
      {
        template: {
          endpoint: 'e',
          origin: server.url,
          path: '/p',
          method: 'POST',
          headers: [],
          keyHeader: 'idempotency-key',
          keyFormat: 'raw',
          body: () => Buffer.from('{}'),
        },
        executor: { name: 'constant-connections', connections: 2, durationMs: 60_000 },
        maxRequests: 4,
        timeoutMs: 60_000,
        duplicates: 0,
        inFlightDuplicates: 0,
        seed: 'endless',
        statuses: { inFlight: [409], mismatch: [422] },
      },
      { wire: 'undici' },
    );
    expect(r.sent).toBe(4);
    expect(Object.keys(r.errors).join()).toMatch(/body over|BODY_LIMIT/);
    expect(server.written()).toBeLessThan(4 * MAX_RESPONSE_BYTES + SOCKET_SLACK);
  }, 60_000);
});

/** A load of 4 requests on the socket wire (the default for http://), 2 connections, a timeout that never fires first. */
const socketLoad = (origin: string) =>
  runLoad(
    {
      template: {
        endpoint: 'e',
        origin,
        path: '/p',
        method: 'POST',
        headers: [],
        keyHeader: 'idempotency-key',
        keyFormat: 'raw',
        body: () => Buffer.from('{}'),
      },
      executor: { name: 'constant-connections', connections: 2, durationMs: 600_000 },
      maxRequests: 4,
      timeoutMs: 600_000,
      duplicates: 0,
      inFlightDuplicates: 0,
      seed: 'endless-socket',
      statuses: { inFlight: [409], mismatch: [422] },
    },
    { wire: 'socket' },
  );

describe('the load socket wire against hostile servers', () => {
  it('an endless body: each response is cut at 16 MiB (IDEMAUDIT_BODY_LIMIT), never read to the end', async () => {
    // The backstop (64 MiB per response) is what an uncapped reader would read in full, and answer 200.
    server = await endlessBodyServer({ limitBytes: 4 * MAX_RESPONSE_BYTES });
    const r = await socketLoad(server.url);
    expect(r.sent).toBe(4);
    expect(Object.keys(r.errors).join()).toMatch(/over 16777216 bytes|IDEMAUDIT_BODY_LIMIT/);
    expect(Object.values(r.errors).reduce((a, b) => a + b, 0)).toBe(4);
    expect(server.written()).toBeLessThan(4 * (MAX_RESPONSE_BYTES + SOCKET_SLACK));
  }, 120_000);

  it('endless headers: each response fails as a malformed head after 64 KiB', async () => {
    const headers = await endlessHeadersServer({ limitBytes: MAX_RESPONSE_BYTES });
    try {
      const r = await socketLoad(headers.url);
      expect(r.sent).toBe(4);
      expect(Object.keys(r.errors).join(), JSON.stringify(r.errors)).toMatch(/head too large/);
      expect(Object.values(r.errors).reduce((a, b) => a + b, 0)).toBe(4);
      expect(headers.written()).toBeLessThan(4 * SOCKET_SLACK);
    } finally {
      await headers.close();
    }
  }, 120_000);
});
