// Bad input fails before any traffic: unknown report formats, profiles and check ids exit 2 from
// `validate` and from `run`/`check` without a single request reaching the target; `init` creates
// missing folders and writes a $schema path that resolves from the file's own folder.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { httpServer, type TestServer } from '../helpers/servers.js';

let dir: string;
let target: TestServer;
let scenario: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-input-'));
  target = await httpServer((_req, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"x"}'));
  scenario = path.join(dir, 's.yaml');
  await writeFile(scenario, ['version: 1', 'name: s', `target: ${target.url}`, 'endpoints:', '  - name: e', '    method: POST', '    path: /e', ''].join('\n'));
});

afterAll(async () => {
  await target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('input errors before any traffic', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown format', ['--format', 'html,pdf'], /unknown report format 'pdf'/],
    ['an unknown profile', ['--profile', 'ietf-99'], /unknown profile 'ietf-99'/],
    ['an unknown check id in --only', ['--only', 'concurrent-duplicate'], /unknown check id 'concurrent-duplicate'/],
    ['an unknown check id in --skip', ['--skip', 'bogus'], /unknown check id 'bogus'/],
  ];
  for (const [what, flags, message] of cases) {
    it(`${what}: validate and run exit 2, check too, and the target sees nothing`, { timeout: 120_000 }, async () => {
      const v = await runCli(['validate', scenario, ...flags]);
      expect(v.code).toBe(2);
      expect(v.stderr).toMatch(message);
      const r = await runCli(['run', scenario, '--report-dir', path.join(dir, 'reports'), ...flags]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      const c = await runCli(['check', 'POST', `${target.url}/e`, '--report-dir', path.join(dir, 'reports'), ...flags]);
      expect(c.code, c.stdout + c.stderr).toBe(2);
      expect(target.hits()).toBe(0);
      expect(existsSync(path.join(dir, 'reports'))).toBe(false);
    });
  }

  it('validate lists every flag problem at once', { timeout: 60_000 }, async () => {
    const v = await runCli(['validate', scenario, '--format', 'pdf', '--only', 'bogus']);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/unknown report format 'pdf'/);
    expect(v.stderr).toMatch(/unknown check id 'bogus'/);
    expect((await runCli(['validate', scenario, '--format', 'junit,sarif', '--only', 'missing-key'])).code).toBe(0);
  });

  it('validate names variables the environment lacks without failing the file', { timeout: 60_000 }, async () => {
    const file = path.join(dir, 'env.yaml');
    await writeFile(
      file,
      [
        'version: 1',
        'name: env',
        'target: self',
        '# ${IN_A_COMMENT} is not a reference',
        'tenants:',
        '  a:',
        '    headers:',
        '      Authorization: Bearer ${IDEMAUDIT_TEST_UNSET_TOKEN}',
        'endpoints:',
        '  - name: e',
        '    path: /e',
        '',
      ].join('\n'),
    );
    const v = await runCli(['validate', file], { env: { IDEMAUDIT_TEST_UNSET_TOKEN: undefined } });
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain('not set here, needed by run: IDEMAUDIT_TEST_UNSET_TOKEN');
    expect(v.stdout).not.toContain('IN_A_COMMENT');
  });
});

describe('init', () => {
  it('creates missing folders and writes a $schema path that resolves from the file', { timeout: 60_000 }, async () => {
    const file = path.join('scenarios', 'team', 'orders.yaml');
    const r = await runCli(['init', file], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const text = await readFile(path.join(dir, file), 'utf8');
    const schema = /\$schema=(\S+)/.exec(text)![1]!;
    expect(schema.startsWith('.')).toBe(true);
    const resolved = path.resolve(path.join(dir, 'scenarios', 'team'), schema);
    expect(existsSync(resolved), resolved).toBe(true);
    expect(JSON.parse(await readFile(resolved, 'utf8')).title ?? 'schema').toBeTruthy();
    expect((await runCli(['validate', file], { cwd: dir })).code).toBe(0);
  });
});
