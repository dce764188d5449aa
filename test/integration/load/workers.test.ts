// runLoadInWorkers against a real loopback server: a worker that fails ends the whole load with a
// clear LoadWorkerError (no hang, the other workers stopped), and an abort before or during the
// run resolves with what was done. The worker threads run the built engine (dist/), as `npm test`
// builds first.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadWorkerError, runLoadInWorkers, type PortableLoadOptions } from '../../../src/engine/load/index.js';

let server: Server;
let url = '';
let received = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    received += 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(`{"id":"r${received}"}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const options = (over: Partial<PortableLoadOptions> = {}): PortableLoadOptions => ({
  template: {
    endpoint: 'ep',
    origin: url,
    path: '/',
    method: 'POST',
    headers: ['content-type', 'application/json'],
    keyHeader: 'idempotency-key',
    keyFormat: 'sf-string',
    body: { kind: 'per-key', template: { key: '{{key}}', n: '{{seq}}' }, seed: 's' },
  },
  executor: { name: 'constant-connections', connections: 4, durationMs: 60_000 },
  maxRequests: 100,
  timeoutMs: 5000,
  duplicates: 0.2,
  inFlightDuplicates: 0.5,
  seed: 'workers-it',
  statuses: { inFlight: [409], mismatch: [422] },
  ...over,
});

describe('runLoadInWorkers', () => {
  it('sends the capped count across the workers with per-key bodies rendered in each worker', async () => {
    received = 0;
    const r = await runLoadInWorkers(options(), 2);
    expect(r.workers).toBe(2);
    expect(r.sent).toBe(100);
    expect(received).toBe(100);
    expect(r.stats.completed).toBe(100);
    const body = JSON.parse(r.samples[0]!.request.body!.toString('utf8')) as { key: string };
    expect(body.key).toMatch(/^ia-load-[0-9a-f]+-w[01]\./);
    r.stats.destroy();
  });

  it('a failing worker ends the load with LoadWorkerError', async () => {
    const err = await runLoadInWorkers(options({ keyPrefix: 'not a prefix!' }), 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadWorkerError);
    expect((err as LoadWorkerError).code).toBe('E_LOAD_WORKER');
    expect((err as Error).message).toMatch(/^load worker [12] of 2 failed: key prefix 'not a prefix!w[01]\.' must be/);
  });

  it('an abort before the start resolves at once with nothing sent', async () => {
    received = 0;
    const controller = new AbortController();
    controller.abort();
    const r = await runLoadInWorkers(options(), 2, { signal: controller.signal });
    expect(r.aborted).toBe(true);
    expect(r.sent).toBe(0);
    expect(received).toBe(0);
    r.stats.destroy();
  });
});
