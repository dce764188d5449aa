// `compare` as a CI gate on real runs: ten pairs of audits of the same correct server compare
// silent (no false regression from run-to-run noise), and a race introduced is exactly one
// regression with exit 1, also when the baseline is a directory of runs.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, runAudit } from '../../src/index.js';
import { compareReports } from '../../src/report/compare.js';
import type { Report } from '../../src/report/model.js';
import { runCli, startServe } from '../helpers/cli.js';

// One endpoint; 8 copies x 4 rounds give 28 conflicts per run, 2 replays and 2 mismatches: the
// conflict outcome is judged for latency (n >= 30 with the sequential checks' extra answers or not,
// whichever the run yields) and the conflict share always.
const SCENARIO = `
version: 1
name: gate
target: self
profile: ietf-07
defaults:
  headers: { content-type: application/json }
tenants:
  alice: { headers: { Authorization: "Bearer alice-demo-token" } }
endpoints:
  - name: create-payment
    method: POST
    path: /payments
    body: { amount: 1250, currency: EUR, reference: "order-{{seq}}" }
    identity: /id
    keyRequired: mandatory
    risk: critical
checks:
  concurrent-duplicates: { copies: 8, rounds: 5 }
  sequential-replay: {}
  payload-mismatch: {}
`;

const PAIRS = 10;
// The tests that spawn the CLI (up to 4 times; a cold start is 1-2 s idle, several times that beside
// CPU-bound neighbours): a hang guard, not a speed requirement.
const TEST_TIMEOUT_MS = 120_000;
let dir: string;
const passing: Array<{ file: string; report: Report }> = [];
let race: { file: string; report: Report };

async function audit(url: string, label: string): Promise<{ file: string; report: Report }> {
  const report = await runAudit(parseScenario(SCENARIO, 'gate.yaml', {}), { target: url, seed: `gate-${label}`, scenarioFile: 'gate.yaml' });
  const file = path.join(dir, `gate-${label}.json`);
  await writeFile(file, JSON.stringify(report));
  return { file, report };
}

async function withServer<T>(flaws: string[], work: (url: string) => Promise<T>): Promise<T> {
  const server = await startServe(['--processing-ms', '20', ...flaws]);
  try {
    return await work(server.url);
  } finally {
    await server.stop();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-gate-'));
  await withServer([], async (url) => {
    for (let i = 0; i < PAIRS * 2; i++) passing.push(await audit(url, `pass-${String(i).padStart(2, '0')}`));
  });
  race = await withServer(['--flaw', 'race'], (url) => audit(url, 'zz-race'));
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('compare as a CI gate', () => {
  it('ten pairs of runs of the same passing server: 0 regressions', () => {
    for (const r of passing) expect(r.report.summary.verdict, r.file).toBe('pass');
    // The gate judged something: the conflict outcome has histograms and enough answers.
    expect(passing[0]!.report.latencyHistograms?.['create-payment']?.conflict).toBeDefined();
    expect(passing[0]!.report.latency['create-payment']!.conflict!.count).toBeGreaterThanOrEqual(28);
    const regressions: string[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const c = compareReports(passing[2 * i]!.report, passing[2 * i + 1]!.report);
      regressions.push(...c.regressions.map((r) => `pair ${i + 1}: ${r.text}`));
    }
    expect(regressions).toEqual([]);
  });

  it('a race introduced: exactly 1 regression, exit 1', { timeout: TEST_TIMEOUT_MS }, async () => {
    expect(race.report.summary.verdict).toBe('fail');
    const c = compareReports(passing[0]!.report, race.report);
    expect(c.regressions.map((r) => `${r.kind} ${r.check} ${r.endpoint}`)).toEqual(['pass-to-fail concurrent-duplicates create-payment']);
    expect(c.improvements).toEqual([]);
    const r = await runCli(['compare', passing[0]!.file, race.file]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^REGRESSED: 1 regression, 0 improvements$/m);
  });

  it('--baseline takes the latest run of a directory and never the new report itself', { timeout: TEST_TIMEOUT_MS }, async () => {
    // The race report is the latest file in the directory; it must not be its own baseline.
    const r = await runCli(['compare', '--baseline', dir, race.file]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(`compare ${passing[passing.length - 1]!.file} `);
    const ok = await runCli(['compare', '--baseline', passing[3]!.file, passing[4]!.file]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    // A passing run against a directory of passing runs: the latest earlier run is the baseline. Latency
    // swings below 1 s are ignored here: on a loaded machine one run's p90 was 3.7x all earlier ones
    // (stress run, 2026-12-06), a real regression by the gate's rules and not what this test is about.
    const history = path.join(dir, 'history');
    await mkdir(history);
    for (const p of passing.slice(0, -1)) await copyFile(p.file, path.join(history, path.basename(p.file)));
    const gated = await runCli(['compare', '--baseline', history, passing[passing.length - 1]!.file, '--format', 'json', '--min-latency-delta', '1000']);
    expect(gated.code, gated.stdout + gated.stderr).toBe(0);
    expect(JSON.parse(gated.stdout).old).toBe(path.join(history, path.basename(passing[passing.length - 2]!.file)));
    const usage = await runCli(['compare', '--baseline', dir, race.file, passing[1]!.file]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('with --baseline, give only the new report');
  });
});
