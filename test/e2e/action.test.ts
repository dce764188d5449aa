// The GitHub Action's shell steps (ci/action.sh) run here as GitHub would run them: install the
// packed CLI, audit `idemaudit serve` (sound, then racy), record outputs, fail on the exit code.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServe } from '../helpers/cli.js';
import { pack } from '../helpers/pack.js';

const SCRIPT = path.join(ROOT, 'ci/action.sh');
const temp = mkdtempSync(path.join(tmpdir(), 'idemaudit-action-'));

interface Phase {
  status: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

/** One phase of the action, with the files GitHub provides; inputs as the action.yml maps them. */
function phase(name: string, env: Record<string, string>, cwd = temp): Phase {
  const outputFile = path.join(temp, `output-${name}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(outputFile, '');
  const r = spawnSync('bash', [SCRIPT, name], {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
    env: {
      ...process.env,
      CI: 'true',
      RUNNER_TEMP: temp,
      GITHUB_OUTPUT: outputFile,
      npm_config_loglevel: 'error',
      npm_config_update_notifier: 'false',
      ...env,
    },
  });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outputs };
}

describe('GitHub Action script (ci/action.sh)', { timeout: 120_000 }, () => {
  let bin: string;
  let pathFile: string;
  let work: string;
  let good: Awaited<ReturnType<typeof startServe>>;
  let racy: Awaited<ReturnType<typeof startServe>>;

  beforeAll(async () => {
    const { tarball, files } = pack(temp);
    expect(files).toContain('dist/cli/main.js');
    pathFile = path.join(temp, 'github-path');
    writeFileSync(pathFile, '');
    const install = phase('install', { IDEMAUDIT_PACKAGE: tarball, GITHUB_PATH: pathFile });
    expect(install.status, install.stderr).toBe(0);
    bin = install.outputs.bin!;
    work = path.join(temp, 'work');
    mkdirSync(work);
    copyFileSync(path.join(ROOT, 'scenarios/reference.yaml'), path.join(work, 'idemaudit.yaml'));
    [good, racy] = await Promise.all([startServe(['--log-level', 'silent']), startServe(['--log-level', 'silent', '--flaw', 'race'])]);
  }, 300_000);

  afterAll(async () => {
    await Promise.all([good?.stop(), racy?.stop()]);
  });

  it('install: puts the packed CLI outside the repository and on the job PATH', () => {
    expect(bin).toBe(path.join(temp, 'idemaudit-cli', 'bin', 'idemaudit'));
    expect(readFileSync(pathFile, 'utf8').trim()).toBe(path.dirname(bin));
    const real = execFileSync('readlink', ['-f', bin], { encoding: 'utf8' });
    expect(real.startsWith(ROOT)).toBe(false);
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('run + finish against a sound server: exit 0, every report written and named in the outputs', () => {
    const summary = path.join(temp, 'summary-good.md');
    const run = phase(
      'run',
      {
        IDEMAUDIT_BIN: bin,
        INPUT_TARGET: good.url,
        INPUT_FORMATS: 'junit,sarif,html',
        INPUT_REPORT_DIR: 'out-good',
        INPUT_ARGS: '--only concurrent-duplicates,sequential-replay --seed action-seed',
        GITHUB_STEP_SUMMARY: summary,
      },
      work,
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ 'exit-code': '0', verdict: 'pass', 'report-dir': path.join(work, 'out-good') });
    for (const key of ['json', 'junit', 'sarif', 'html']) {
      expect(path.isAbsolute(run.outputs[key]!), key).toBe(true);
      expect(existsSync(run.outputs[key]!), key).toBe(true);
    }
    expect(run.stderr).toContain('no scenario given, using ./idemaudit.yaml');
    const report = JSON.parse(readFileSync(run.outputs.json!, 'utf8'));
    expect(report.seed).toBe('action-seed');
    expect(new Set(report.results.map((r: { check: string }) => r.check))).toEqual(new Set(['concurrent-duplicates', 'sequential-replay']));
    expect(JSON.parse(readFileSync(run.outputs.sarif!, 'utf8')).version).toBe('2.1.0');
    expect(readFileSync(summary, 'utf8')).toMatch(/^## idemaudit: pass \(exit 0\)/);
    const finish = phase('finish', { IDEMAUDIT_EXIT_CODE: run.outputs['exit-code']! });
    expect(finish.status).toBe(0);
  });

  it('run + finish against a racy server: the run step succeeds, finish fails the job with exit 1', () => {
    const run = phase(
      'run',
      {
        IDEMAUDIT_BIN: bin,
        INPUT_SCENARIO: 'idemaudit.yaml',
        INPUT_TARGET: racy.url,
        INPUT_FAIL_ON: 'violation',
        INPUT_REPORT_DIR: 'out-racy',
        INPUT_FORMATS: 'sarif',
        INPUT_ARGS: '--only concurrent-duplicates',
      },
      work,
    );
    expect(run.status, run.stderr).toBe(0); // reports are still uploaded by the later steps
    expect(run.outputs).toMatchObject({ 'exit-code': '1', verdict: 'fail' });
    const sarif = JSON.parse(readFileSync(run.outputs.sarif!, 'utf8'));
    expect(sarif.runs[0].results.some((r: { ruleId: string }) => r.ruleId.includes('concurrent-duplicates'))).toBe(true);
    const finish = phase('finish', { IDEMAUDIT_EXIT_CODE: run.outputs['exit-code']! });
    expect(finish.status).toBe(1);
    expect(finish.stderr).toContain('findings at or above --fail-on (exit 1)');
  });

  it('a broken scenario: exit 2 recorded, no report, and finish fails with 2', () => {
    writeFileSync(path.join(work, 'broken.yaml'), 'version: 1\nname: broken\n');
    const run = phase('run', { IDEMAUDIT_BIN: bin, INPUT_SCENARIO: 'broken.yaml', INPUT_REPORT_DIR: 'out-broken' }, work);
    expect(run.status).toBe(0);
    expect(run.outputs).toMatchObject({ 'exit-code': '2', verdict: 'none' });
    expect(run.outputs.json).toBeUndefined();
    expect(phase('finish', { IDEMAUDIT_EXIT_CODE: '2' }).status).toBe(2);
    expect(phase('finish', {}).status).toBe(2); // no recorded code is a failure, never a pass
  });

  it('action.yml maps every input the script reads and runs the three phases in order', () => {
    const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8'));
    expect(action.runs.using).toBe('composite');
    const steps = action.runs.steps as Array<{ id?: string; run?: string; uses?: string; env?: Record<string, string>; if?: string }>;
    expect(steps.filter((s) => s.run).map((s) => s.run)).toEqual(['install', 'run', 'finish'].map((p) => `bash "$GITHUB_ACTION_PATH/ci/action.sh" ${p}`));
    const read = new Set(readFileSync(SCRIPT, 'utf8').match(/INPUT_[A-Z_]+/g));
    const mapped = steps.find((s) => s.id === 'run')!.env!;
    for (const name of read) expect(Object.keys(mapped), name).toContain(name);
    for (const [name, value] of Object.entries(mapped)) {
      const input = /inputs\.([a-z-]+)/.exec(value)?.[1];
      if (input) expect(Object.keys(action.inputs), `${name} -> ${input}`).toContain(input);
    }
    // Reports are published even when the audit failed; the job fails only in the last step.
    const uses = steps.filter((s) => s.uses).map((s) => s.uses!.split('@')[0]);
    expect(uses).toEqual(['actions/setup-node', 'actions/upload-artifact', 'github/codeql-action/upload-sarif']);
    for (const s of steps.filter((x) => x.uses && !x.uses.startsWith('actions/setup-node'))) expect(s.if).toContain('!cancelled()');
    expect(steps.at(-1)!.run).toContain('finish');
  });
});
