// Run the built CLI (bin/idemaudit.js -> dist/) as a user would, capturing output and exit code.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/idemaudit.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  return spawnCli(args, opts).result;
}

/** Like runCli, with the child at hand (to send it signals while it runs). */
export function spawnCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, result };
}

/** Resolves once `stream` has printed text matching `pattern` (events, not sleeps, pace signal tests). */
export function waitForOutput(stream: NodeJS.ReadableStream | null, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!stream) return reject(new Error('no stream to wait on'));
    let seen = '';
    const onData = (d: Buffer): void => {
      seen += d.toString();
      if (pattern.test(seen)) {
        stream.off('data', onData);
        stream.off('end', onEnd);
        resolve();
      }
    };
    const onEnd = (): void => reject(new Error(`stream ended before ${String(pattern)}; saw: ${seen}`));
    stream.on('data', onData);
    stream.once('end', onEnd);
  });
}

/**
 * Start `idemaudit serve --admin` on an ephemeral port; resolves once it prints its URL. `executable`
 * runs an installed `idemaudit` (e.g. from a packed tarball) instead of this checkout's bin/idemaudit.js.
 */
export function startServe(
  args: string[],
  opts: { executable?: string; cwd?: string } = {},
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const argv = ['serve', '--port', '0', '--admin', ...args];
    const child = opts.executable
      ? spawn(opts.executable, argv, { cwd: opts.cwd ?? ROOT, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, [BIN, ...argv], { cwd: opts.cwd ?? ROOT, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start: ${out}${err}`));
    }, 15_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!,
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('close', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${out}${err}`));
    });
  });
}
