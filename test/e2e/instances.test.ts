// Several instances of one API from the command line: scenarios/instances.yaml (two embedded
// instances sharing a store) passes as the README shows; two `serve --store redis` processes on one
// prefix pass; a region-local-store instance fails failover-replay alone (cross-instance-duplicates
// inconclusive, naming it) and an instance-local-lock instance cross-instance-duplicates alone; wrong
// `targets` input is a usage error (exit 2) that says what is wrong.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../src/reference/index.js';
import type { Report } from '../../src/report/model.js';
import { runCli, startServe } from '../helpers/cli.js';
import { deleteKeysByPrefix, uniquePrefix } from '../helpers/redis.js';

const prefix = uniquePrefix('e2e-instances');
const cleanup = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
const scratch = mkdtemp(path.join(os.tmpdir(), 'idemaudit-instances-'));

afterAll(async () => {
  await deleteKeysByPrefix(cleanup.client, prefix);
  await cleanup.close();
  await rm(await scratch, { recursive: true, force: true });
});

const verdicts = (report: Report) => Object.fromEntries(report.results.map((r) => [r.check, r.verdict]));

describe('idemaudit run across instances', () => {
  it('scenarios/instances.yaml: two embedded instances sharing one store pass, as the README shows', async () => {
    const r = await runCli(['run', 'scenarios/instances.yaml', '--json', '--report-dir', await scratch], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(verdicts(report)).toEqual({
      'sequential-replay': 'pass',
      'concurrent-duplicates': 'pass',
      'cross-instance-duplicates': 'pass',
      'failover-replay': 'pass',
    });
    // Two instances really answered: the copies of a burst went to two different ports.
    const ports = new Set(report.exchanges.filter((e) => / via (eu|us)$/.test(e.label)).map((e) => new URL(e.request.url).port));
    expect(ports.size).toBe(2);
  }, 150_000);

  it('two serve processes on one Redis prefix pass; a region-local-store or instance-local-lock instance fails one instance check each (exit 1)', async () => {
    const common = ['--store', 'redis', '--redis-prefix', prefix, '--log-level', 'silent'];
    const [a, b, regionLocal, localLock] = await Promise.all([
      startServe(common),
      startServe(common),
      startServe([...common, '--flaw', 'region-local-store']),
      startServe([...common, '--flaw', 'instance-local-lock']),
    ]);
    try {
      const scratch_ = await scratch;
      const run = (other: string) =>
        runCli(['run', 'scenarios/instances.yaml', '--json', '--report-dir', scratch_, '--target', a.url, '--targets', `eu=${a.url},us=${other}`], {
          timeoutMs: 120_000,
        });
      const good = await run(b.url);
      expect(good.code, good.stderr).toBe(0);
      const bad = await run(regionLocal.url);
      expect(bad.code, bad.stderr).toBe(1);
      const report = JSON.parse(bad.stdout) as Report;
      expect(verdicts(report)).toEqual({
        'sequential-replay': 'pass',
        'concurrent-duplicates': 'pass',
        'cross-instance-duplicates': 'inconclusive',
        'failover-replay': 'fail',
      });
      expect(report.results.find((r) => r.check === 'cross-instance-duplicates')!.message).toMatch(/^not judged \(root cause owned by failover-replay\)/);
      const lock = await run(localLock.url);
      expect(lock.code, lock.stderr).toBe(1);
      const locked = JSON.parse(lock.stdout) as Report;
      expect(verdicts(locked)).toEqual({
        'sequential-replay': 'pass',
        'concurrent-duplicates': 'pass',
        'cross-instance-duplicates': 'fail',
        'failover-replay': 'pass',
      });
      expect(locked.results.find((r) => r.check === 'cross-instance-duplicates')!.message).toContain(
        'the instances share completed keys but not the in-flight claim',
      );
    } finally {
      await Promise.all([a.stop(), b.stop(), regionLocal.stop(), localLock.stop()]);
    }
  }, 150_000);

  it('bad targets input: exit 2 with what is wrong', async () => {
    const flag = await runCli(['run', 'scenarios/instances.yaml', '--targets', 'eu=ftp://x']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/eu: 'ftp:\/\/x' is not an http\(s\) URL/);
    const selfOnUrl = await runCli(['run', 'scenarios/instances.yaml', '--target', 'http://127.0.0.1:9']);
    expect(selfOnUrl.code).toBe(2);
    expect(selfOnUrl.stderr).toMatch(/targets\.eu is 'self', but the audit's target is not self/);
    const file = path.join(await scratch, 'bad.yaml');
    await writeFile(
      file,
      [
        'version: 1',
        'name: bad',
        'target: http://127.0.0.1:4000',
        'targets:',
        '  eu: self',
        '  us: http://127.0.0.1:4001',
        '  us2: http://127.0.0.1:4001/',
        '  ap: not-a-url',
        'endpoints:',
        '  - { name: e, path: /p }',
      ].join('\n'),
    );
    const v = await runCli(['validate', file]);
    expect(v.code).toBe(2);
    const out = v.stdout + v.stderr;
    expect(out).toMatch(/:5:\d+.*'self' starts another embedded instance sharing the store of target self, but target is "http:\/\/127.0.0.1:4000"/);
    expect(out).toMatch(/:7:\d+.*us2 has the same URL as us/);
    expect(out).toMatch(/:8:\d+.*must be an http\(s\) URL or "self"/);
  }, 60_000);
});
