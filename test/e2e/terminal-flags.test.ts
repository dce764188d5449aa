// run/check output modes: --json puts the JSON report on stdout and nothing else there; --quiet
// prints the summary line only; --verbose adds every exchange; the terminal width is respected.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe } from '../helpers/cli.js';

let dir: string;
let server: Awaited<ReturnType<typeof startServe>>;
const SCENARIO = 'scenarios/reference.yaml';
const ONLY = ['--only', 'sequential-replay,missing-key'];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-flags-'));
  server = await startServe(['--processing-ms', '5']);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('output modes', () => {
  it('run --json: stdout is exactly the JSON report; the start line and file names go to stderr', { timeout: 120_000 }, async () => {
    const r = await runCli(['run', SCENARIO, '--target', server.url, '--report-dir', dir, ...ONLY, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.tool.name).toBe('idemaudit');
    expect(report.results.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/^idemaudit: auditing /m);
    expect(r.stderr).toMatch(/^report: /m);
  });

  it('check --json works the same way', { timeout: 120_000 }, async () => {
    const r = await runCli([
      'check',
      'POST',
      `${server.url}/payments`,
      '-H',
      'Authorization: Bearer a',
      '-H',
      'content-type: application/json',
      '-d',
      '{"amount":1,"currency":"EUR"}',
      '--report-dir',
      dir,
      ...ONLY,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).scenario.name).toBeTruthy();
  });

  it('--quiet prints the summary line only, --verbose every exchange', { timeout: 120_000 }, async () => {
    const q = await runCli(['run', SCENARIO, '--target', server.url, '--report-dir', dir, ...ONLY, '--quiet']);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout.trim().split('\n')).toHaveLength(1);
    expect(q.stdout).toMatch(/^PASS: \d+ passed, 0 failed/);
    const v = await runCli(['run', SCENARIO, '--target', server.url, '--report-dir', dir, ...ONLY, '--verbose'], { env: { COLUMNS: '80' } });
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^exchanges \(\d+\):$/m);
    // File paths are printed whole (wrapping them would break copy and paste).
    for (const l of v.stdout.split('\n').filter((x) => !x.startsWith('report: '))) expect(l.length, l).toBeLessThanOrEqual(80);
    const both = await runCli(['run', SCENARIO, '--quiet', '--verbose']);
    expect(both.code).toBe(2);
  });
});
