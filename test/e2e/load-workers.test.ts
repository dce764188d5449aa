// `idemaudit load --workers`: the CLI against the reference server, every request that arrives
// recorded by its key. Bounded by counts: the closed model stops at --max-requests (its duration
// is only an upper bound), the open model at the end of a 2 s schedule. Proves that the workers
// together send exactly what was asked, that no two requests share a fresh key across workers, that
// duplicates land as planned (in-flight twins from the original's worker; each key executed once),
// that the report is well formed, that `auto` resolves, that bad values are refused, and that
// Ctrl-C stops every worker and still writes the report.
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../src/demo/index.js';
import type { Report } from '../../src/report/model.js';
import { runCli, spawnCli } from '../helpers/cli.js';

let server: ReferenceServer;
/** Every load request that arrived, by key, in arrival order. */
let arrivals: string[] = [];

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, processingMs: 5 });
  // Before the app sees the request: count what the generator sent, whatever the answer.
  server.server.prependListener('request', (req: IncomingMessage) => {
    const raw = req.headers['idempotency-key'];
    const key = typeof raw === 'string' ? raw.replace(/^"|"$/g, '') : undefined;
    if (key?.startsWith('ia-load-')) arrivals.push(key);
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  arrivals = [];
});

const root = mkdtempSync(path.join(tmpdir(), 'idemaudit-workers-'));
const common = [
  '-b',
  '{"amount":100,"currency":"EUR"}',
  '-H',
  'authorization: Bearer alice',
  '--identity',
  '/id',
  '--duplicates',
  '0.2',
  '--in-flight-duplicates',
  '0.5',
];

function reportIn(dir: string): Report {
  const file = readdirSync(dir).find((f) => f.endsWith('.json'))!;
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Report;
}

function countBy(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

describe('idemaudit load --workers', () => {
  it('2 workers send exactly the requested count, never one key twice across workers, duplicates as planned', async () => {
    const dir = path.join(root, 'closed');
    const r = await runCli(
      [
        'load',
        `${server.url}/payments`,
        '-c',
        '6',
        '-d',
        '60s',
        '--max-requests',
        '300',
        '--workers',
        '2',
        '--seed',
        'workers-e2e',
        ...common,
        '--report-dir',
        dir,
      ],
      { timeoutMs: 90_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\(2 worker threads\)/);
    const report = reportIn(dir);
    const ep = Object.keys(report.load!)[0]!;
    const fig = report.load![ep]!;

    // Exactly the requested count, all answered, all seen by the server.
    expect(fig.workers).toBe(2);
    expect(fig.capped).toBe(true);
    expect(fig.sent).toBe(300);
    expect(fig.completed).toBe(300);
    expect(arrivals).toHaveLength(300);
    expect(fig.mix.fresh + fig.mix.replay + fig.mix.inflight).toBe(300);

    // Keys: one per fresh request, distinct across the run, each worker in its own key space.
    const perKey = countBy(arrivals);
    expect(perKey.size).toBe(fig.mix.fresh);
    const byWorker = [0, 1].map((w) => [...perKey.keys()].filter((k) => /-w(\d+)\./.exec(k)?.[1] === String(w)));
    expect(byWorker[0]!.length + byWorker[1]!.length).toBe(perKey.size);
    expect(byWorker[0]!.length).toBeGreaterThan(50);
    expect(byWorker[1]!.length).toBeGreaterThan(50);

    // Duplicates: the planned share (20% of 300, the mix is a seeded draw), every extra arrival of
    // a key is one, and the server executed each key once (the reference layer is correct).
    const dupArrivals = arrivals.length - perKey.size;
    expect(dupArrivals).toBe(fig.mix.replay + fig.mix.inflight);
    expect(dupArrivals).toBeGreaterThanOrEqual(30);
    expect(dupArrivals).toBeLessThanOrEqual(90);
    expect(fig.mix.inflight).toBeGreaterThan(5);
    expect(fig.mix.replay).toBeGreaterThan(5);
    const ledger = server.ledger.summary();
    expect(ledger.duplicates.filter((d) => d.key.startsWith('ia-load-'))).toEqual([]);
    expect(fig.duplicateExecutions).toBe(0);
    // Every answer is a first execution, a replay or an in-flight conflict (no errors); at most one
    // first answer per key (a twin that overtook its original answers first, and counts as a replay).
    expect(Object.keys(fig.outcomes).every((o) => ['first', 'replay', 'conflict'].includes(o))).toBe(true);
    expect(fig.outcomes.first ?? 0).toBeLessThanOrEqual(perKey.size);
    expect(fig.outcomes.first ?? 0).toBeGreaterThanOrEqual(perKey.size - fig.mix.inflight);
    expect(fig.outcomes.conflict ?? 0).toBeGreaterThan(0);

    // A well-formed report: outcomes and histograms hold every answer.
    const outcomes = Object.values(fig.outcomes).reduce((a, b) => a + b, 0);
    expect(outcomes).toBe(300);
    expect(fig.latency.intended.all!.count).toBe(300);
    expect(fig.latency.service.all!.count).toBe(300);
    expect(report.summary.verdict).toBe('pass');
    expect(readdirSync(dir).filter((f) => f.endsWith('.hgrm')).length).toBeGreaterThan(1);
  }, 120_000);

  it('open model: the workers share one schedule, every slot sent or counted as dropped', async () => {
    const dir = path.join(root, 'open');
    const r = await runCli(
      ['load', `${server.url}/payments`, '--rate', '100', '-d', '2s', '-c', '4', '--workers', '2', '--seed', 'workers-open', ...common, '--report-dir', dir],
      {
        timeoutMs: 90_000,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const fig = reportIn(dir).load![Object.keys(reportIn(dir).load!)[0]!]!;
    expect(fig.workers).toBe(2);
    expect(fig.planned).toBe(200);
    expect(fig.targetRate).toBe(100);
    expect(fig.sent + fig.dropped).toBe(200);
    expect(arrivals).toHaveLength(fig.sent);
    expect(countBy(arrivals).size).toBe(fig.mix.fresh);
    expect(fig.latency.intended.all!.count).toBe(fig.completed);
  }, 120_000);

  it('--workers auto resolves to the cores but one', async () => {
    const dir = path.join(root, 'auto');
    const r = await runCli(['load', `${server.url}/payments`, '-c', '4', '--max-requests', '40', '--workers', 'auto', ...common, '--report-dir', dir], {
      timeoutMs: 90_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const fig = reportIn(dir).load![Object.keys(reportIn(dir).load!)[0]!]!;
    const expected = Math.min(4, Math.max(1, availableParallelism() - 1));
    // One worker is the calling thread: the report says nothing about threads then.
    expect(fig.workers ?? 1).toBe(expected);
    expect(fig.sent).toBe(40);
    expect(arrivals).toHaveLength(40);
  }, 120_000);

  it.each(['0', '-1', 'x'])('--workers %s exits 2 with a clear message', async (bad) => {
    const r = await runCli(['load', `${server.url}/payments`, '-c', '2', '--max-requests', '10', `--workers=${bad}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--workers.*worker threads from 1 to 64, or 'auto'/s);
    expect(arrivals).toHaveLength(0);
  });

  it('Ctrl-C stops every worker and still writes the report', async () => {
    const dir = path.join(root, 'interrupted');
    const { child, result } = spawnCli(['load', `${server.url}/payments`, '-c', '4', '-d', '10m', '--workers', '2', ...common, '--report-dir', dir], {
      timeoutMs: 90_000,
    });
    // Interrupt once both workers are sending (an event, not a sleep).
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const seen = new Set(arrivals.map((k) => /-w(\d+)\./.exec(k)?.[1]));
        if (seen.has('0') && seen.has('1') && arrivals.length >= 50) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    child.kill('SIGINT');
    const r = await result;
    expect(r.code).toBe(130);
    const report = reportIn(dir);
    expect(report.summary).toMatchObject({ verdict: 'incomplete', stoppedBy: 'interrupted' });
    // Nothing is sent after the run ended.
    const after = arrivals.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(arrivals.length).toBe(after);
  }, 120_000);
});
