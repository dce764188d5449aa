// `idemaudit compare` end to end on two real runs of the built CLI: the bundled scenario against
// the correct reference server, then against one with the race flaw. The racy run also writes every
// file format, and each must be there and well formed.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe } from '../helpers/cli.js';

let dir: string;
let passJson: string;
let failJson: string;
let failFiles: string[];

/** Run the bundled scenario against a fresh server with these flaws; returns the report dir's files. */
async function auditWith(flaws: string[], label: string, expectedCode: number, format: string): Promise<string[]> {
  const server = await startServe(flaws);
  try {
    const reportDir = path.join(dir, label);
    const r = await runCli(
      ['run', 'scenarios/reference.yaml', '--target', server.url, '--report-dir', reportDir, '--format', format, '--seed', `compare-${label}`],
      { timeoutMs: 60_000 },
    );
    expect(r.code, `${label}: ${r.stdout.slice(-2000)}${r.stderr}`).toBe(expectedCode);
    // The run prints every file it wrote, and wrote exactly those.
    const files = (await readdir(reportDir)).map((f) => path.join(reportDir, f)).sort();
    const printed = /^report: (.+)$/m.exec(r.stdout)?.[1]?.split(', ') ?? [];
    expect(printed[0]).toMatch(/\.json$/); // JSON first: every other format is rendered from it
    expect([...printed].sort()).toEqual(files);
    return files;
  } finally {
    await server.stop();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-compare-'));
  const [pass, fail] = await Promise.all([auditWith([], 'pass', 0, 'json'), auditWith(['--flaw', 'race'], 'race', 1, 'json,junit,sarif,md,html')]);
  expect(pass).toHaveLength(1);
  passJson = pass[0]!;
  failFiles = fail;
  failJson = fail.find((f) => f.endsWith('.json'))!;
}, 90_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('idemaudit compare, end to end', () => {
  it('exit 1 and names the regression: concurrent-duplicates passed before and fails now', async () => {
    const r = await runCli(['compare', passJson, failJson]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Regressions \(\d+\):$/m);
    expect(r.stdout).toMatch(/^ {2}✗ concurrent-duplicates \[create-payment\] passed before, now fails \(violation\): .*executed \d+ times/m);
    expect(r.stdout).toMatch(/^REGRESSED: \d+ regressions?, /m);

    const json = await runCli(['compare', passJson, failJson, '--format', 'json']);
    expect(json.code).toBe(1);
    const c = JSON.parse(json.stdout);
    expect(c).toMatchObject({ old: passJson, new: failJson, regressed: true });
    expect(c.regressions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'pass-to-fail', check: 'concurrent-duplicates', endpoint: 'create-payment', level: 'violation' }),
      ]),
    );
    // The race flaw breaks nothing else the correct server got right.
    const failedChecks = new Set(c.regressions.filter((x: any) => x.check).map((x: any) => x.check));
    expect([...failedChecks]).toEqual(['concurrent-duplicates']);
  });

  it('the reverse direction is an improvement, not a regression of results', async () => {
    const r = await runCli(['compare', failJson, passJson, '--format', 'json']);
    const c = JSON.parse(r.stdout);
    expect(c.improvements).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'fixed', check: 'concurrent-duplicates', endpoint: 'create-payment', level: 'violation' })]),
    );
    expect(c.regressions.filter((x: any) => x.check)).toEqual([]);
  });

  it('exit 0 when a run is compared with itself', async () => {
    const r = await runCli(['compare', passJson, passJson]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK: no regressions, 0 improvements$/m);
    expect(r.stdout).not.toContain('Regressions');
  });

  it('--format json,junit,sarif,md,html writes all five files, each well formed', async () => {
    const base = failJson.slice(0, -'.json'.length);
    expect(path.basename(base)).toMatch(/^reference-\d{8}T\d{6}Z$/);
    expect(failFiles).toEqual([`${base}.html`, `${base}.json`, `${base}.junit.xml`, `${base}.md`, `${base}.sarif`].sort());
    const report = JSON.parse(await readFile(failJson, 'utf8'));
    const { counts } = report.summary;

    const xml = await readFile(`${base}.junit.xml`, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(xml);
    const root = junit.testsuites;
    expect(Number(root.tests)).toBe(report.results.length);
    expect(Number(root.failures)).toBe(counts.fail);
    expect(Number(root.errors)).toBe(counts.error);
    const cases = root.testsuite.flatMap((s: any) => s.testcase.map((t: any) => ({ ...t, suite: s.name })));
    expect(cases).toHaveLength(report.results.length);
    const race = cases.find((t: any) => t.suite === 'reference.create-payment' && t.name === 'concurrent-duplicates' && t.failure);
    expect(race).toBeDefined();
    expect(race.failure.type).toBe('violation');
    expect(race.failure['#text']).toMatch(/evidence:\n {2}#\d+ /);

    const sarif = JSON.parse(await readFile(`${base}.sarif`, 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: 'concurrent-duplicates', level: 'error' })]));
    // A real run keeps the endpoint positions: the alert sits on create-payment's line of the scenario.
    const racy = sarif.runs[0].results.find((r: any) => r.ruleId === 'concurrent-duplicates');
    expect(racy.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'scenarios/reference.yaml', index: 0 },
      region: { startLine: 22, startColumn: 5 },
    });

    const md = await readFile(`${base}.md`, 'utf8');
    expect(md).toMatch(/^# idemaudit governance report: reference$/m);
    expect(md).toMatch(/^#### `concurrent-duplicates` on `create-payment` \(fail\)$/m);

    const html = await readFile(`${base}.html`, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<title>idemaudit: reference (FAIL)</title>');
  });
});
