// The built binary, end to end, as the README tells people to run it: exit codes 0, 1, 2, 3 and
// the JSON report contract of GUIDE section 3.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { defaultCheckIds } from '../../src/checks/index.js';
import { runCli, startServe } from '../helpers/cli.js';
import { deleteKeysByPrefix, keysByPrefix, uniquePrefix } from '../helpers/redis.js';

// Tests that spawn several CLI processes or run whole audits take 7-13 s on an idle 2-core machine
// and several times that beside CPU-bound neighbours: a hang guard, not a speed requirement.
const SLOW_TEST_MS = 120_000;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-e2e-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function onlyReport(reportDir: string): Promise<any> {
  const files = (await readdir(reportDir)).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(1);
  return JSON.parse(await readFile(path.join(reportDir, files[0]!), 'utf8'));
}

describe('idemaudit CLI', () => {
  it('exit 0: the bundled scenario passes against the embedded server and writes the JSON report', { timeout: SLOW_TEST_MS }, async () => {
    const reportDir = path.join(dir, 'pass');
    const r = await runCli(['run', 'scenarios/reference.yaml', '--report-dir', reportDir, '--seed', 'e2e-seed']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASS:');
    // eslint-disable-next-line no-control-regex -- the ANSI escape is what is looked for
    expect(r.stdout).not.toMatch(/\x1b\[/); // no colour when piped / CI
    const report = await onlyReport(reportDir);
    expect(report).toMatchObject({
      schemaVersion: 1,
      tool: { name: 'idemaudit' },
      scenario: { name: 'reference', file: 'scenarios/reference.yaml' },
      profile: 'ietf-07',
      seed: 'e2e-seed',
      summary: { verdict: 'pass', counts: { fail: 0, error: 0 } },
    });
    expect(report.target).toMatch(/^self \(http:\/\/127\.0\.0\.1:\d+\)$/);
    // Every check of the catalogue except the chaos and load ones, which have their own scenarios.
    expect(new Set(report.results.map((x: any) => x.check))).toEqual(new Set(defaultCheckIds()));
    for (const res of report.results)
      expect(Object.keys(res)).toEqual(expect.arrayContaining(['check', 'endpoint', 'verdict', 'level', 'message', 'evidence']));
    expect(report.latency['create-payment'].first.count).toBeGreaterThan(0);
    expect(report.exchanges.length).toBeGreaterThan(10);
    expect(JSON.stringify(report)).not.toContain('alice-demo-token');
  });

  it('exit 1: a racy server is caught by concurrent-duplicates as a violation', { timeout: SLOW_TEST_MS }, async () => {
    const server = await startServe(['--flaw', 'race']);
    try {
      const reportDir = path.join(dir, 'race');
      const r = await runCli(['run', 'scenarios/reference.yaml', '--target', server.url, '--report-dir', reportDir]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('concurrent-duplicates');
      const report = await onlyReport(reportDir);
      expect(report.summary.verdict).toBe('fail');
      const race = report.results.find((x: any) => x.check === 'concurrent-duplicates' && x.verdict === 'fail');
      expect(race).toMatchObject({ level: 'violation', message: expect.stringMatching(/executed \d+ times/) });
      expect(race.evidence.length).toBeGreaterThan(1);
    } finally {
      await server.stop();
    }
  });

  it('serve --store redis passes the bundled audit, and its race flaw is caught too', { timeout: SLOW_TEST_MS }, async () => {
    const prefix = uniquePrefix('e2e');
    const redis = new Redis('redis://127.0.0.1:6379');
    const good = await startServe(['--store', 'redis', '--redis-url', 'redis://127.0.0.1:6379', '--redis-prefix', prefix, '--log-level', 'silent']);
    try {
      const r = await runCli(['run', 'scenarios/reference.yaml', '--target', good.url, '--report-dir', path.join(dir, 'redis-pass')]);
      expect(r.stdout).toContain('PASS:');
      expect(r.code).toBe(0);
    } finally {
      await good.stop();
    }
    expect((await keysByPrefix(redis, prefix)).length).toBeGreaterThan(0);
    const racy = await startServe(['--store', 'redis', '--redis-prefix', prefix, '--flaw', 'race', '--log-level', 'silent']);
    try {
      const r = await runCli([
        'run',
        'scenarios/reference.yaml',
        '--target',
        racy.url,
        '--only',
        'concurrent-duplicates',
        '--report-dir',
        path.join(dir, 'redis-race'),
      ]);
      expect(r.code).toBe(1);
    } finally {
      await racy.stop();
      await deleteKeysByPrefix(redis, prefix);
      redis.disconnect();
    }
  });

  it('exit 2: a YAML mistake names file:line:col', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'version: 1\nname: bad\ntarget: self\nendpoints:\n  - name: e\n    path: /p\n    bogus: 1\n');
    const r = await runCli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:7:5:`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exit 2: validate reports the problem and passes a good file', async () => {
    const good = await runCli(['validate', 'scenarios/reference.yaml']);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('scenarios/reference.yaml: ok');
    const bad = await runCli(['validate', path.join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(2);
  });

  it('exit 3: an unreachable target gives one readable line', async () => {
    const r = await runCli(['run', 'scenarios/reference.yaml', '--target', 'http://127.0.0.1:1', '--report-dir', path.join(dir, 'unreach')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('target http://127.0.0.1:1 is unreachable: connection refused');
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });

  it('exit 2 on unknown flags and bad values; --help of every command shows examples', { timeout: SLOW_TEST_MS }, async () => {
    expect((await runCli(['run', 'scenarios/reference.yaml', '--fail-on', 'sometimes'])).code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
    for (const cmd of ['run', 'check', 'validate', 'serve', 'proxy', 'report', 'compare', 'init', 'list']) {
      const help = await runCli([cmd, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Examples:');
    }
  });

  it('check: audits one endpoint from curl-like flags with the same report and exit codes', { timeout: SLOW_TEST_MS }, async () => {
    const server = await startServe([]);
    try {
      const reportDir = path.join(dir, 'check');
      const r = await runCli([
        'check',
        'POST',
        `${server.url}/payments`,
        '-H',
        'Authorization: Bearer check-a',
        '-H',
        'content-type: application/json',
        '--tenant-header',
        'Authorization: Bearer check-b',
        '-d',
        '{"amount":100,"currency":"EUR"}',
        '--identity',
        '/id',
        '--report-dir',
        reportDir,
        '--seed',
        's1',
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('seed s1');
      const report = await onlyReport(reportDir);
      expect(report.scenario.name).toMatch(/^check-127\.0\.0\.1-\d+-payments$/);
      expect(report.results.map((x: any) => x.check)).toEqual(expect.arrayContaining(['concurrent-duplicates', 'cross-tenant']));
      expect(JSON.stringify(report)).not.toContain('check-b');
    } finally {
      await server.stop();
    }
    const racy = await startServe(['--flaw', 'race']);
    try {
      const r = await runCli([
        'check',
        'POST',
        `${racy.url}/payments`,
        '-d',
        '{"amount":100,"currency":"EUR"}',
        '--identity',
        '/id',
        '--only',
        'concurrent-duplicates',
        '--report-dir',
        path.join(dir, 'check-race'),
      ]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/concurrent-duplicates.*violation/s);
    } finally {
      await racy.stop();
    }
  });

  it('init writes a starter scenario that validates, and never overwrites by accident', async () => {
    const file = path.join(dir, 'starter.yaml');
    expect((await runCli(['init', file])).code).toBe(0);
    const valid = await runCli(['validate', file]);
    expect(valid.stdout).toContain(`${file}: ok`);
    expect(valid.code).toBe(0);
    const again = await runCli(['init', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('check redacts credential-like headers, --redact names and query parameters in every report', async () => {
    const server = await startServe(['--log-level', 'silent']);
    try {
      const reportDir = path.join(dir, 'check-redact');
      const r = await runCli([
        'check',
        'POST',
        `${server.url}/payments?api_key=QSECRET9`,
        '-H',
        'X-Api-Key: HSECRET77',
        '-H',
        'content-type: application/json',
        '-d',
        '{"amount":100,"currency":"EUR","cardNumber":"4111-CANARY"}',
        '--redact',
        'api_key,cardNumber',
        '--only',
        'sequential-replay,missing-key',
        '--format',
        'md,html',
        '--report-dir',
        reportDir,
      ]);
      expect(r.code).toBe(0);
      for (const file of await readdir(reportDir)) {
        const text = await readFile(path.join(reportDir, file), 'utf8');
        for (const secret of ['QSECRET9', 'HSECRET77', '4111-CANARY']) expect(text, `${file} leaks ${secret}`).not.toContain(secret);
      }
      expect(r.stdout + r.stderr).not.toMatch(/QSECRET9|HSECRET77|4111-CANARY/);
      const report = await onlyReport(reportDir);
      expect(JSON.stringify(report)).toContain('[REDACTED]');
    } finally {
      await server.stop();
    }
  });

  it('lists checks, profiles and flaws', async () => {
    expect((await runCli(['list', 'checks'])).stdout).toContain('concurrent-duplicates');
    expect((await runCli(['list', 'profiles'])).stdout).toContain('stripe-v1');
    expect((await runCli(['list', 'flaws'])).stdout).toMatch(/race\s+/);
  });
});
