// Bounded memory: ~200k requests through the executor core (not the full audit) against a trivial
// server in another process. The heap after a forced GC must not grow with the number of requests:
// the engine keeps counters, histograms and bounded samples, never anything per request.
import { spawn, type ChildProcess } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../../src/engine/load/index.js';

const SERVER = `
const body = Buffer.from('{"id":"pay_1","amount":100}');
require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(201, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); });
}).listen(0, '127.0.0.1', function () { console.log(this.address().port); });
process.on('disconnect', () => process.exit(0));
`;

function gcFunction(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose_gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/** The work: a count, every one of them sent and answered, however long a loaded machine takes. */
const MAX_REQUESTS = 200_000;
/**
 * The closed-model executor needs a duration: one no run of this test reaches (the test timeout is
 * shorter), so the run ends at MAX_REQUESTS, never at a time budget.
 */
const NEVER_MS = 3_600_000;

let child: ChildProcess;
let origin: string;

beforeAll(async () => {
  child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('error', reject);
    setTimeout(() => reject(new Error('trivial server did not start')), 10_000).unref();
  });
  origin = `http://127.0.0.1:${port}`;
});

afterAll(() => {
  child?.kill();
});

describe('load engine memory', () => {
  it('200k requests: heap after GC stays flat between 50k and 200k requests', async () => {
    const gc = gcFunction();
    const heap = (): number => {
      gc?.();
      return process.memoryUsage().heapUsed;
    };
    const body = Buffer.from('{"amount":100,"currency":"EUR"}');
    const marks: Array<{ at: number; heap: number }> = [];
    const baseline = heap();
    const result = await runLoad({
      template: {
        endpoint: 'trivial',
        origin,
        path: '/payments',
        method: 'POST',
        headers: ['content-type', 'application/json'],
        keyHeader: 'idempotency-key',
        keyFormat: 'sf-string',
        body: () => body,
      },
      executor: { name: 'constant-connections', connections: 32, durationMs: NEVER_MS },
      maxRequests: MAX_REQUESTS,
      timeoutMs: 10_000,
      // Duplicates exercise the bounded ring of originals, pair judging and body retention.
      duplicates: 0.2,
      inFlightDuplicates: 0.5,
      seed: 'memory',
      statuses: { inFlight: [409], mismatch: [422] },
      identity: '/id',
      progressIntervalMs: 250,
      onProgress: (p) => {
        if (marks.length === 0 ? p.sent >= 50_000 : p.sent >= 190_000 && marks.length === 1) marks.push({ at: p.sent, heap: heap() });
      },
    });
    const end = heap();
    const mb = (n: number): number => Math.round(n / 1e5) / 10;
    const detail = `baseline ${mb(baseline)} MB, ${marks.map((m) => `${m.at}: ${mb(m.heap)} MB`).join(', ')}, end ${mb(end)} MB, gc ${gc ? 'forced' : 'unavailable'}`;
    expect(result.sent, detail).toBe(MAX_REQUESTS);
    expect(result.completed).toBe(MAX_REQUESTS);
    expect(result.stats.count('error') + result.stats.count('timeout')).toBe(0);
    expect(marks.length, detail).toBeGreaterThanOrEqual(1);
    const mark50k = marks[0]!.heap;
    const latest = marks[1]?.heap ?? end;
    expect(latest - mark50k, detail).toBeLessThan(gc ? 10 * 1024 * 1024 : 30 * 1024 * 1024);
    expect(end - baseline, detail).toBeLessThan(30 * 1024 * 1024);
    console.log(`load engine memory: ${detail}, ${Math.round(result.completed / (result.elapsedMs / 1000))} req/s`);
    result.stats.destroy();
  }, 240_000);
});
