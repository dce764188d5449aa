// `loadCommand` end to end against a real reference server: --json prints the report and nothing
// else on stdout, reports and .hgrm files land in the report directory, thresholds set the exit code.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommand, loadScenario, type LoadFlags } from '../../../src/cli/commands/load.js';
import type { CliIO } from '../../../src/cli/io.js';
import { startReferenceServer, type ReferenceServer } from '../../../src/demo/index.js';
import type { Report } from '../../../src/report/model.js';

function captureIO(): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { CI: 'true' },
    onSignal: () => () => {},
    out: () => out,
    err: () => err,
  };
}

let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({ admin: true, port: 0 });
});
afterAll(async () => {
  await server.close();
});

const base = (over: Partial<LoadFlags> = {}): LoadFlags => ({
  header: ['content-type: application/json', 'Authorization: Bearer alice'],
  body: '{"amount":100,"currency":"EUR"}',
  identity: '/id',
  threshold: [],
  reportDir: mkdtempSync(path.join(tmpdir(), 'idemaudit-load-')),
  duration: 1500,
  ...over,
});

// A 1-2 s load plus its report take a few seconds idle, several times that beside CPU-bound neighbours.
const TEST_TIMEOUT_MS = 60_000;

describe('idemaudit load (loadCommand)', () => {
  it('--json: the machine-readable report on stdout, everything else elsewhere', { timeout: TEST_TIMEOUT_MS }, async () => {
    const io = captureIO();
    // Thresholds of three kinds (latency, safety counter, rate) that CPU contention cannot breach:
    // no latency from an intended start can reach the test timeout (the run ends before it), and
    // all 300 slots are sent (far under the in-flight cap), so the achieved rate stays near 100%.
    // That thresholds can fail is the next test's business; this one shows they are evaluated on
    // the run's own figures and reported.
    const flags = base({ rate: 200, json: true, threshold: [`p99 < ${TEST_TIMEOUT_MS / 1000}s`, 'duplicate_executions == 0', 'rate >= 90%'], seed: 'cli' });
    const code = await loadCommand(`${server.url}/payments`, flags, io);
    const report = JSON.parse(io.out()) as Report;
    expect(code, io.err()).toBe(0);
    expect(report.summary.verdict).toBe('pass');
    expect(report.seed).toBe('cli');
    const load = report.load!['post-payments']!;
    expect(load).toMatchObject({ executor: 'constant-arrival-rate', targetRate: 200, duplicateExecutions: 0 });
    expect(load.latency.intended.all!.p999).toBeGreaterThan(0);
    expect(load.thresholds.map((t) => t.verdict)).toEqual(['pass', 'pass', 'pass']);
    // Each observed value is the run's own figure (p99 printed to 0.1 ms, in ms).
    const [p99, dups, rate] = load.thresholds.map((t) => t.observed);
    expect(p99).toMatch(new RegExp(`^p99 < ${TEST_TIMEOUT_MS / 1000}s: p99 = [\\d.]+ ms$`));
    expect(Number(/p99 = ([\d.]+) ms/.exec(p99!)![1])).toBeCloseTo(load.latency.intended.all!.p99, 0);
    expect(dups).toBe('duplicate_executions == 0: duplicate_executions = 0');
    expect(rate).toMatch(/^rate >= 90%: rate = [\d.]+%$/);
    expect(Object.keys(report.histograms!['post-payments']!)).toContain('first');
    expect(report.latency['post-payments']!.first!.count).toBeGreaterThan(100);
    expect(io.err()).toMatch(/^idemaudit: loading /);
    expect(io.err()).toMatch(/report: .*\.json, .*\.hgrm/);
    const files = readdirSync(flags.reportDir);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(files.some((f) => f.endsWith('.post-payments.all.hgrm'))).toBe(true);
  });

  it('closed model by default, with the percentile table on stdout; a breached threshold exits 1', { timeout: TEST_TIMEOUT_MS }, async () => {
    const io = captureIO();
    const code = await loadCommand(`${server.url}/payments`, base({ connections: 4, duration: 1000, threshold: ['p50 < 1ms'] }), io);
    expect(code).toBe(1);
    expect(io.out()).toMatch(/load post-payments \[constant-connections\]: [\d.]+ req\/s on 4 connections/);
    expect(io.out()).toMatch(/latency \(ms\) from send:\n\s+outcome\s+n\s+mean\s+stddev\s+p50/);
    expect(io.out()).toMatch(/^\s+all\s+\d+\s/m);
    expect(io.out()).toMatch(/✗ p50 < 1ms: p50 = /);
    expect(io.out()).toMatch(/threshold p50 < 1ms: p50 = .* -> breached/);
  });

  it('refuses a malformed threshold before sending anything, pointing at the column', () => {
    expect(() => loadScenario(`${server.url}/payments`, base({ threshold: ['p99 < 250xs'] }))).toThrow(
      /thresholds\.0: "p99 < 250xs": unknown unit 'xs' \(use us, ms, s or %\) at column 10/,
    );
    expect(() => loadScenario('ftp://x/payments', base())).toThrow(/not an http\(s\) URL/);
  });
});
