// Issue 13, wrong exits: each hostile input ends in one clear line and the documented exit code,
// never "internal error", a stack trace or a silent pass.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { httpServer, type TestServer } from '../helpers/servers.js';

let dir: string;
let target: TestServer;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-exits-'));
  target = await httpServer((req, res) => {
    req.resume();
    res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"x"}');
  });
});
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

async function scenario(name: string, extra = '', tgt = target.url): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(
    file,
    `version: 1\nname: ${name}\ntarget: ${tgt}\ndefaults: { timeoutMs: 1000 }\nendpoints:\n  - { name: pay, path: /payments, body: { amount: 5 } }\n${extra}`,
  );
  return file;
}

const noStack = (text: string): void => {
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toContain('internal error');
};

describe('exit codes for hostile input', () => {
  it('--only load on a scenario that does not declare load is a usage error, not "0 checks, pass"', async () => {
    const file = await scenario('only', 'checks:\n  sequential-replay: {}\n');
    const r = await runCli(['run', file, '--only', 'load', '--report-dir', path.join(dir, 'r-only')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--only load: this check is not part of this scenario');
    expect(target.hits()).toBe(0);
  });

  it.each([['http://127.0.0.1:99999'], ['http://[::1'], ['ftp://127.0.0.1/']])('--target %s exits 2 with a clear message', async (bad) => {
    const r = await runCli(['run', await scenario('badtarget'), '--target', bad, '--report-dir', path.join(dir, 'r-bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/target '.*' is not (a valid|an http\(s\)) URL/);
    noStack(r.stderr);
  });

  it('a ledger URL on a host not in allowHosts is refused before any traffic (safety rail)', async () => {
    const r = await runCli(['run', await scenario('ledger', 'ledger: http://203.0.113.9:9/_idemaudit/ledger\n'), '--report-dir', path.join(dir, 'r-ledger')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ledger host 203.0.113.9:9 is not loopback and not allowed');
  });

  it('an unterminated {{uuid is a validation error (exit 2) instead of being sent literally', async () => {
    const file = path.join(dir, 'tpl.yaml');
    await writeFile(file, `version: 1\nname: tpl\ntarget: ${target.url}\nendpoints:\n  - { name: pay, path: /payments, body: { ref: "o-{{uuid" } }\n`);
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unterminated template placeholder '{{uuid'");
  });

  it('serve on a port in use: a clear message and exit 2, not "internal error"', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const port = (holder.address() as net.AddressInfo).port;
      const r = await runCli(['serve', '--port', String(port), '--log-level', 'silent'], { timeoutMs: 20_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the address is already in use`);
      noStack(r.stderr);
    } finally {
      holder.close();
    }
  });

  it('ulimit -n 100: a clear message about open files, no stack trace', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('sh', ['-c', `ulimit -n 100 && exec "${process.execPath}" "${BIN}" validate scenarios/reference.yaml`], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    // Either the CLI loads and validates (exit 0), or it says plainly that the limit is too low.
    if (r.code !== 0) {
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('too many open files');
      expect(r.stderr).toContain('ulimit -n');
    }
    noStack(r.stderr);
  });

  it('--report-dir that is a file or under /proc fails before any traffic with exit 2', async () => {
    const file = path.join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const before = target.hits();
    for (const reportDir of [file, '/proc/x']) {
      const r = await runCli(['run', await scenario('rdir', 'checks:\n  sequential-replay: {}\n'), '--report-dir', reportDir], { timeoutMs: 20_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot write reports to ${reportDir}`);
    }
    expect(target.hits()).toBe(before);
  });

  it('a 245-character scenario name still gets its report (name shortened with a hash)', async () => {
    const name = 'n'.repeat(245);
    const reportDir = path.join(dir, 'r-long');
    const r = await runCli(['run', await scenario(name, 'checks:\n  sequential-replay: {}\n'), '--report-dir', reportDir]);
    expect([0, 1]).toContain(r.code);
    expect(r.stdout).toMatch(/report: .*n{91}~[0-9a-f]{8}-\d{8}T\d{6}Z\.json/);
  });
});
