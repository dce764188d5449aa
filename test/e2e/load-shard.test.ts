// Sharded load (`--shard i/n --start-at`): n CLI processes against one server, merged with
// `report --merge`, against one unsharded run of the same plan. Same planned, sent and completed
// counts, zero duplicate executions in both, disjoint key spaces, and an incomplete set of shards
// refused. Small and bounded: 120 requests over 2 s per run.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../src/demo/index.js';
import { mergeReports } from '../../src/report/merge.js';
import type { Report } from '../../src/report/model.js';
import { runCli } from '../helpers/cli.js';

let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, processingMs: 20 });
});
afterAll(async () => {
  await server.close();
});

const N = 3;
const plan = [
  '--rate',
  '60',
  '-d',
  '2s',
  '-c',
  '6',
  '--duplicates',
  '0.2',
  '--in-flight-duplicates',
  '0.5',
  '--identity',
  '/id',
  '-b',
  '{"amount":100,"currency":"EUR"}',
  '-H',
  'authorization: Bearer alice',
  '--seed',
  'shard-test',
];

function reportIn(dir: string): { file: string; report: Report } {
  const file = readdirSync(dir).find((f) => f.endsWith('.json'))!;
  return { file: path.join(dir, file), report: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Report };
}

describe('idemaudit load --shard', () => {
  it('n shards merged equal one unsharded run: counts, duplicate executions, disjoint keys', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'idemaudit-shard-'));
    const url = `${server.url}/payments`;
    const single = await runCli(['load', url, ...plan, '--report-dir', path.join(root, 'single')], { timeoutMs: 60_000 });
    expect(single.code, single.stderr).toBe(0);
    const startAt = new Date(Date.now() + 2500).toISOString();
    const shards = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        runCli(['load', url, ...plan, '--shard', `${i}/${N}`, '--start-at', startAt, '--report-dir', path.join(root, `shard-${i}`)], { timeoutMs: 60_000 }),
      ),
    );
    shards.forEach((s, i) => expect(s.code, `shard ${i}: ${s.stderr}`).toBe(0));

    const one = reportIn(path.join(root, 'single')).report.load!;
    const parts = Array.from({ length: N }, (_, i) => reportIn(path.join(root, `shard-${i}`)));
    const merged = mergeReports(parts.map((p) => p.report));
    const ep = Object.keys(one)[0]!;
    const a = one[ep]!;
    const m = merged.load![ep]!;
    expect(m.runs).toBe(N);
    // Slots i, i + n, ... of the same schedule: the shards plan and send exactly the whole run.
    expect(parts.map((p) => p.report.load![ep]!.planned)).toEqual([40, 40, 40]);
    expect(m.planned).toBe(a.planned);
    expect(m.sent).toBe(a.sent);
    expect(m.completed).toBe(a.completed);
    expect(m.targetRate).toBeCloseTo(a.targetRate!, 6);
    expect(m.mix.fresh + m.mix.replay + m.mix.inflight).toBe(m.sent);
    expect(m.mix.replay + m.mix.inflight).toBeGreaterThan(5);
    expect(a.duplicateExecutions).toBe(0);
    expect(m.duplicateExecutions).toBe(0);
    // Disjoint key spaces, the same seed.
    const prefixes = parts.map((p) => p.report.load![ep]!.shard!.keyPrefix);
    expect(new Set(prefixes).size).toBe(N);
    expect(prefixes.every((p) => p.startsWith(prefixes[0]!.slice(0, -2)))).toBe(true);
    // The merged histogram holds every answer; both runs wait at least the server's 20 ms.
    expect(m.latency.intended.all!.count).toBe(m.completed);
    expect(m.latency.intended.all!.p50).toBeGreaterThanOrEqual(20);
    expect(a.latency.intended.all!.p50).toBeGreaterThanOrEqual(20);

    // An incomplete set of shards is refused (usage error), naming what is missing.
    const partial = await runCli(['report', '--merge', parts[0]!.file, parts[2]!.file, '-f', 'json']);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/shard 1\/3 missing/);
    const full = await runCli(['report', '--merge', ...parts.map((p) => p.file), '-f', 'json']);
    expect(full.code, full.stderr).toBe(0);
  }, 90_000);
});
