// Issue 13: report files are written atomically under names that fit, and the interrupt handler
// covers the writing: a second signal in the middle leaves complete files intact.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withInterrupt } from '../../../src/cli/interrupt.js';
import type { CliIO } from '../../../src/cli/io.js';
import { UsageError } from '../../../src/core/errors.js';
import { ensureReportDir, fitName, reportBase, writeFileAtomic } from '../../../src/report/files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-files-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

function fakeIO(): CliIO & { fire(): void; handlers: number; err: string } {
  const handlers = new Set<(s: NodeJS.Signals) => void>();
  const io = {
    err: '',
    stdout: { write: () => true },
    stderr: { write: (t: string) => ((io.err += t), true) },
    env: {},
    onSignal(h: (s: NodeJS.Signals) => void) {
      handlers.add(h);
      return () => handlers.delete(h);
    },
    fire: () => {
      for (const h of [...handlers]) h('SIGTERM');
    },
    get handlers() {
      return handlers.size;
    },
  };
  return io;
}

describe('report file names and directories', () => {
  it('a 245-character scenario name gives file names that fit in 255 bytes, and distinct long names stay distinct', () => {
    const long = 'a'.repeat(245);
    const base = path.basename(reportBase(dir, long, '2026-12-04T15:00:00.000Z'));
    expect(`${base}.history.jsonl`.length).toBeLessThan(255);
    expect(fitName(`${'a'.repeat(200)}x`)).not.toBe(fitName(`${'a'.repeat(200)}y`));
    expect(fitName('short')).toBe('short');
  });

  it('a --report-dir that is a file is a usage error', async () => {
    const file = path.join(dir, 'file');
    await writeFile(file, 'x');
    await expect(ensureReportDir(file)).rejects.toThrow(UsageError);
    await expect(ensureReportDir(path.join(file, 'sub'))).rejects.toThrow(/cannot write reports to/);
  });

  it("--report-dir /proc/x fails at once instead of spinning (Node's recursive mkdir never returns there)", async () => {
    await expect(ensureReportDir('/proc/x/y')).rejects.toThrow(/cannot write reports to \/proc\/x\/y/);
  });

  it('creates missing levels', async () => {
    await ensureReportDir(path.join(dir, 'a', 'b'));
    expect(await readdir(path.join(dir, 'a'))).toEqual(['b']);
  });
});

describe('atomic writes under the interrupt handler', () => {
  it('a first signal while reports are written does not stop the writing; the handler stays until the end', async () => {
    const io = fakeIO();
    let release!: () => void;
    const writing = new Promise<void>((r) => (release = r));
    const done = withInterrupt(io, async (signal) => {
      // the audit is over; now writing
      await writeFileAtomic(path.join(dir, 'r.json'), '{"complete":1}');
      await writing;
      await writeFileAtomic(path.join(dir, 'r.html'), '<html></html>');
      return signal.aborted;
    });
    await vi.waitFor(async () => expect(await readdir(dir)).toContain('r.json'));
    expect(io.handlers).toBe(1);
    io.fire();
    release();
    expect(await done).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['r.html', 'r.json']);
  });

  it('a second signal in the middle of writing exits 130 and leaves the complete files, without a temporary one', async () => {
    const io = fakeIO();
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    await writeFileAtomic(path.join(dir, 'r.json'), '{"previous":"complete"}');
    let secondWriteStarted!: () => void;
    const started = new Promise<void>((r) => (secondWriteStarted = r));
    const work = withInterrupt(io, async () => {
      const big = 'x'.repeat(50 * 1024 * 1024);
      secondWriteStarted();
      await writeFileAtomic(path.join(dir, 'r.json'), big).catch(() => {});
    }).catch(() => {});
    await started;
    io.fire();
    expect(() => io.fire()).toThrow('exit 130');
    expect(exit).toHaveBeenCalledWith(130);
    expect(io.err).toContain('interrupted again');
    // Whatever the write managed, the final name holds a complete document and no .tmp is left behind
    // (process.exit is mocked here, so the write runs on: wait for it, not for a fixed time).
    await work;
    const names = await readdir(dir);
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const text = await readFile(path.join(dir, 'r.json'), 'utf8');
    expect(text === '{"previous":"complete"}' || text.length === 50 * 1024 * 1024).toBe(true);
  });
});
