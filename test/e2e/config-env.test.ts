// Config discovery and environment: a bare `idemaudit run` finds ./idemaudit.yaml (or .yml) and says
// so; `--env-file` feeds ${VAR} interpolation without any value reaching output or reports; the
// IDEMAUDIT_* variables stand in for the common flags, and a flag on the command line wins.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli, startServe } from '../helpers/cli.js';
import { fakeIO } from '../helpers/fake-io.js';

const SECRET = 'tok-7f3c9e21-very-secret';

const SCENARIO = `version: 1
name: envfile
target: "\${IDEM_TARGET}"
defaults:
  headers:
    content-type: application/json
    Authorization: "Bearer \${API_TOKEN}"
endpoints:
  - name: create-payment
    method: POST
    path: /payments
    body: { amount: 1250, currency: EUR, reference: "order-{{seq}}" }
    identity: /id
`;

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'idemaudit-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const everything = (dir: string): string =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'))
    .join('\n');

describe('config discovery, --env-file and IDEMAUDIT_* variables', { timeout: 120_000 }, () => {
  let server: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    server = await startServe(['--log-level', 'silent']);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('bare `run` uses ./idemaudit.yaml, says so, and interpolates from --env-file without printing values', async () => {
    const dir = folder({ 'idemaudit.yaml': SCENARIO, '.env.ci': `# comment\nIDEM_TARGET=${server.url}\nAPI_TOKEN="${SECRET}"\n` });
    const r = await runCli(['run', '--env-file', '.env.ci', '--only', 'sequential-replay', '--report-dir', 'out', '--format', 'junit,sarif'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('no scenario given, using ./idemaudit.yaml');
    expect(r.stdout).toContain(`auditing ${server.url}`);
    expect(r.stdout).toMatch(/PASS: 1 passed/);
    const reports = everything(path.join(dir, 'out'));
    expect(reports).toContain('sequential-replay'); // the reports are there...
    expect(`${r.stdout}${r.stderr}${reports}`).not.toContain(SECRET); // ...and the token is not
  });

  it('finds idemaudit.yml too, and refuses to guess between .yaml and .yml', async () => {
    const yml = folder({ 'idemaudit.yml': SCENARIO.replace('"${IDEM_TARGET}"', server.url).replace('${API_TOKEN}', 'x') });
    const ok = await runCli(['run', '--only', 'sequential-replay', '--report-dir', 'out'], { cwd: yml });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('using ./idemaudit.yml');

    const both = folder({ 'idemaudit.yml': SCENARIO, 'idemaudit.yaml': SCENARIO });
    const r = await runCli(['run'], { cwd: both });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('both idemaudit.yaml and idemaudit.yml exist');
  });

  it('bare `run` without a scenario file here is a usage error that suggests init', async () => {
    const r = await runCli(['run'], { cwd: folder({}) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no scenario given and no idemaudit.yaml or idemaudit.yml in');
    expect(r.stderr).toContain('idemaudit init');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('the environment wins over the env file; a missing variable names the variable, never a value', async () => {
    const dir = folder({ 'idemaudit.yaml': SCENARIO, '.env': `IDEM_TARGET=http://127.0.0.1:9/nowhere\nAPI_TOKEN=${SECRET}\n` });
    const r = await runCli(['run', '--env-file', '.env', '--only', 'sequential-replay', '--report-dir', 'out'], { cwd: dir, env: { IDEM_TARGET: server.url } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`auditing ${server.url}`);

    const partial = folder({ 'idemaudit.yaml': SCENARIO, '.env': `IDEM_TARGET=${server.url}\n` });
    // `run` needs every variable: exit 2 naming it, before any traffic.
    const missing = await runCli(['run', 'idemaudit.yaml', '--env-file', '.env', '--report-dir', 'out'], { cwd: partial });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/idemaudit\.yaml:\d+:\d+: .*API_TOKEN/);
    expect(missing.stderr).not.toContain(server.url);
    // `validate` proves the file's structure and names what the run will need (secrets CI injects later).
    const checked = await runCli(['validate', 'idemaudit.yaml', '--env-file', '.env'], { cwd: partial });
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toContain('needed by run: API_TOKEN');
    expect(checked.stdout + checked.stderr).not.toContain(server.url);
  });

  it('an unreadable env file is a usage error naming the file', async () => {
    const dir = folder({ 'idemaudit.yaml': SCENARIO });
    // In process, our own check answers: exit 2, a clear line, no stack.
    const io = fakeIO();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(await main(['run', '--env-file', 'absent.env'], io)).toBe(2);
    } finally {
      process.chdir(cwd);
    }
    expect(io.err()).toContain('cannot read the env file absent.env: no such file');
    expect(io.err()).not.toMatch(/\n\s+at /);
    const dirIO = fakeIO();
    expect(await main(['validate', path.join(dir, 'idemaudit.yaml'), '--env-file', dir], dirIO)).toBe(2);
    expect(dirIO.err()).toContain(`cannot read the env file ${dir}: it is a directory`);
    // As a process, Node itself scans argv for --env-file and stops on a missing file first
    // (exit 9, "node: absent.env: not found", also for a directory); either way the run fails and names the file.
    const spawned = await runCli(['run', '--env-file', 'absent.env'], { cwd: dir });
    expect(spawned.code).not.toBe(0);
    expect(spawned.stderr).toContain('absent.env');
  });

  it('IDEMAUDIT_* variables set the common flags; a flag on the command line wins', async () => {
    const dir = folder({ 'idemaudit.yaml': SCENARIO.replace('${API_TOKEN}', 'x') });
    mkdirSync(path.join(dir, 'flag-dir'));
    const env = {
      IDEM_TARGET: 'http://127.0.0.1:9', // wrong on purpose: IDEMAUDIT_TARGET overrides it
      IDEMAUDIT_TARGET: server.url,
      IDEMAUDIT_REPORT_DIR: 'env-dir',
      IDEMAUDIT_FORMAT: 'junit',
      IDEMAUDIT_SEED: 'env-seed-42',
      IDEMAUDIT_ONLY: 'sequential-replay',
    };
    const r = await runCli(['run'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`auditing ${server.url}`);
    expect(r.stdout).toContain('seed env-seed-42');
    const written = readdirSync(path.join(dir, 'env-dir'));
    expect(written.some((f) => f.endsWith('.json'))).toBe(true);
    expect(written.some((f) => f.endsWith('.xml'))).toBe(true);
    const report = JSON.parse(
      readFileSync(
        path.join(
          dir,
          'env-dir',
          written.find((f) => /^envfile-.*\.json$/.test(f))!,
        ),
        'utf8',
      ),
    );
    expect(report.results.map((x: { check: string }) => x.check)).toEqual(['sequential-replay']);

    const flagged = await runCli(['run', '--report-dir', 'flag-dir', '--seed', 'flag-seed'], { cwd: dir, env });
    expect(flagged.code, flagged.stderr).toBe(0);
    expect(flagged.stdout).toContain('seed flag-seed');
    expect(readdirSync(path.join(dir, 'flag-dir')).some((f) => f.endsWith('.json'))).toBe(true);

    const bad = await runCli(['run'], { cwd: dir, env: { ...env, IDEMAUDIT_FAIL_ON: 'sometimes' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/fail-on.*violation.*deviation/s);
    expect(existsSync(path.join(dir, 'reports'))).toBe(false);
  });
});
