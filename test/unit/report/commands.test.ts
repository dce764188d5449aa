// `idemaudit report` and `idemaudit compare` as functions over a fake CliIO.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareCommand } from '../../../src/cli/commands/compare.js';
import { reportCommand } from '../../../src/cli/commands/report.js';
import type { CliIO } from '../../../src/cli/io.js';
import { UsageError } from '../../../src/core/errors.js';
import { fixturePath } from './helpers.js';

function fakeIO(): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: {},
    onSignal: () => () => {},
    out: () => out,
    err: () => err,
  };
}

const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'idemaudit-report-'));

describe('reportCommand', () => {
  it('re-renders a saved run to stdout', async () => {
    const io = fakeIO();
    expect(await reportCommand([fixturePath('failing')], { format: 'md' }, io)).toBe(0);
    expect(io.out()).toContain('# idemaudit governance report: reference');
    const term = fakeIO();
    expect(await reportCommand([fixturePath('failing')], { format: 'terminal' }, term)).toBe(0);
    expect(term.out()).toContain('FAIL: 4 passed, 7 failed');
    expect(term.out()).not.toContain('\u001b[');
  });

  it('writes to --output, creating the directory', async () => {
    const io = fakeIO();
    const file = path.join(tmp(), 'sub', 'out.sarif');
    expect(await reportCommand([fixturePath('passing')], { format: 'sarif', output: file }, io)).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe('2.1.0');
    expect(io.out()).toBe(`report: ${file}\n`);
  });

  it('refuses files that are not idemaudit reports, or another schemaVersion', async () => {
    const dir = tmp();
    const notJson = path.join(dir, 'a.json');
    writeFileSync(notJson, 'hello');
    const other = path.join(dir, 'b.json');
    writeFileSync(other, JSON.stringify({ version: '2.1.0', runs: [] }));
    const future = path.join(dir, 'c.json');
    writeFileSync(
      future,
      JSON.stringify({ ...JSON.parse(readFileSync(fixturePath('passing'), 'utf8')), schemaVersion: 2, tool: { name: 'idemaudit', version: '9.0.0' } }),
    );
    const io = fakeIO();
    await expect(reportCommand([notJson], { format: 'md' }, io)).rejects.toThrow(/is not an idemaudit report: not JSON/);
    await expect(reportCommand([other], { format: 'md' }, io)).rejects.toThrow(/is not an idemaudit report/);
    await expect(reportCommand([future], { format: 'md' }, io)).rejects.toThrow(
      /has report schemaVersion 2 \(written by idemaudit 9\.0\.0\); this idemaudit reads schemaVersion 1/,
    );
    await expect(reportCommand([path.join(dir, 'missing.json')], { format: 'md' }, io)).rejects.toThrow(/cannot read .*no such file/);
    await expect(reportCommand([fixturePath('passing')], { format: 'pdf' }, io)).rejects.toBeInstanceOf(UsageError);
    await expect(reportCommand([future], { format: 'md' }, io)).rejects.toBeInstanceOf(UsageError);
  });
});

describe('compareCommand', () => {
  it('exits 1 with the regressions listed', async () => {
    const io = fakeIO();
    expect(await compareCommand([fixturePath('passing'), fixturePath('failing')], {}, io)).toBe(1);
    expect(io.out()).toContain('Regressions (');
    expect(io.out()).toContain('✗ concurrent-duplicates [create-payment] passed before, now fails (violation)');
    expect(io.out()).toMatch(/REGRESSED: \d+ regressions/);
  });

  it('exits 0 for a run compared with itself', async () => {
    const io = fakeIO();
    expect(await compareCommand([fixturePath('passing'), fixturePath('passing')], {}, io)).toBe(0);
    expect(io.out()).toContain('OK: no regressions, 0 improvements');
  });

  it('prints JSON for scripts', async () => {
    const io = fakeIO();
    expect(await compareCommand([fixturePath('failing'), fixturePath('passing')], { format: 'json', conflictTolerance: 1 }, io)).toBe(0);
    const parsed = JSON.parse(io.out());
    expect(parsed.regressed).toBe(false);
    expect(parsed.improvements.length).toBeGreaterThan(0);
  });
});

describe('flag wiring helpers', () => {
  it('parse the documented flags with their defaults', async () => {
    const { Command } = await import('commander');
    const { addCompareFlags, nonNegativeNumber } = await import('../../../src/cli/commands/compare.js');
    const { addReportFlags } = await import('../../../src/cli/commands/report.js');
    const cmp = addCompareFlags(new Command('compare').exitOverride()).parse(['--tolerance', '0.5'], { from: 'user' });
    expect(cmp.opts()).toEqual({ tolerance: 0.5, conflictTolerance: 0.05, minLatencyDelta: 1, minSamples: 30, format: 'text' });
    const rep = addReportFlags(new Command('report').exitOverride()).parse(['-f', 'html', '-o', 'x.html'], { from: 'user' });
    expect(rep.opts()).toEqual({ format: 'html', output: 'x.html' });
    expect(() => nonNegativeNumber('-1')).toThrow();
    expect(() => nonNegativeNumber('abc')).toThrow();
  });
});

describe('report --merge', () => {
  it('refuses several reports without --merge, and merges them with it', async () => {
    const io = fakeIO();
    await expect(reportCommand([fixturePath('passing'), fixturePath('failing')], { format: 'json' }, io)).rejects.toMatchObject({
      message: '2 reports given',
      hint: expect.stringContaining('pass --merge'),
    });
    expect(await reportCommand([fixturePath('passing'), fixturePath('passing')], { format: 'json', merge: true }, io)).toBe(0);
    const merged = JSON.parse(io.out());
    const single = JSON.parse(readFileSync(fixturePath('passing'), 'utf8'));
    expect(merged.results).toHaveLength(single.results.length * 2);
  });
});
