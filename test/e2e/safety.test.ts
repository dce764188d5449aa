// "Safety and failure behaviour" of the README, through the built binary: interrupts, target
// faults (refused, DNS, TLS, hanging, 5xx-only), dry runs, caps, redirects, loopback-only targets
// and bounded response bodies. Each gives one clear message, a report where promised, and the
// documented exit code.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, startServe, waitForOutput } from '../helpers/cli.js';
import { hangingServer, httpServer } from '../helpers/servers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-safety-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function reportIn(reportDir: string): Promise<any> {
  const files = (await readdir(reportDir)).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(1);
  return JSON.parse(await readFile(path.join(reportDir, files[0]!), 'utf8'));
}

/** A one-endpoint scenario against `target` with a short timeout. */
async function scenarioFile(name: string, target: string, extra = ''): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(
    file,
    `version: 1
name: ${name}
target: ${target}
defaults: { timeoutMs: 1000, headers: { content-type: application/json } }
endpoints:
  - { name: pay, path: /payments, body: { amount: 5, currency: EUR }, identity: /id }
${extra}`,
  );
  return file;
}

describe('interrupts', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s writes the partial report (verdict incomplete) and exits 130', async (sig) => {
    const server = await startServe(['--processing-ms', '1500', '--log-level', 'silent']);
    try {
      const reportDir = path.join(dir, `signal-${sig}`);
      const { child, result } = spawnCli(['run', 'scenarios/reference.yaml', '--target', server.url, '--report-dir', reportDir]);
      // The start line is printed after the signal handler is installed.
      await waitForOutput(child.stdout, /idemaudit: auditing /);
      child.kill(sig);
      const r = await result;
      expect(r.code).toBe(130);
      expect(r.stderr).toContain('stopping, writing the partial report');
      const report = await reportIn(reportDir);
      expect(report.summary).toMatchObject({ verdict: 'incomplete', stoppedBy: 'interrupted' });
    } finally {
      await server.stop();
    }
  });

  it('a second SIGINT exits at once', async () => {
    const hang = await hangingServer();
    try {
      const file = await scenarioFile('second-sigint', hang.url, 'defaults: {}\n'.replace('defaults: {}\n', ''));
      const slow = file.replace('.yaml', '-slow.yaml');
      await writeFile(slow, (await readFile(file, 'utf8')).replace('timeoutMs: 1000', 'timeoutMs: 30000'));
      const { child, result } = spawnCli(['run', slow, '--report-dir', path.join(dir, 'sigint2')]);
      // Signals are sent on events, never after a sleep: a signal before the handler is installed
      // kills the process instead (the old 800 ms sleep lost that race on a busy machine).
      await waitForOutput(child.stdout, /idemaudit: auditing /);
      const stopping = waitForOutput(child.stderr, /stopping, writing the partial report/);
      child.kill('SIGINT');
      await stopping;
      child.kill('SIGINT');
      const r = await result;
      expect(r.code).toBe(130);
      // The target hangs for the 30 s timeout, so only the second-signal path can have ended the run.
      expect(r.stderr).toContain('interrupted again, exiting at once');
      const written = await readdir(path.join(dir, 'sigint2')).catch(() => [] as string[]);
      expect(written.filter((f) => f.endsWith('.json'))).toEqual([]);
    } finally {
      await hang.close();
    }
  });

  it('serve drains requests in flight on SIGTERM: they complete, then it exits', async () => {
    const server = await startServe(['--processing-ms', '700', '--log-level', 'silent']);
    const pending = fetch(`${server.url}/payments`, {
      method: 'POST',
      headers: { 'idempotency-key': '"drain-1"', 'content-type': 'application/json' },
      body: '{"amount":5,"currency":"EUR"}',
    });
    await new Promise((r) => setTimeout(r, 200));
    server.child.kill('SIGTERM');
    const res = await pending;
    expect(res.status).toBe(201);
    await once(server.child, 'close');
    expect(server.child.exitCode).toBe(0);
  });
});

describe('target faults: one clear line, a report, exit 3', () => {
  it('connection refused', async () => {
    const reportDir = path.join(dir, 'refused');
    const r = await runCli(['run', await scenarioFile('refused', 'http://127.0.0.1:1'), '--report-dir', reportDir]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('idemaudit: target http://127.0.0.1:1 is unreachable: connection refused (ECONNREFUSED)');
    expect((await reportIn(reportDir)).summary).toMatchObject({ verdict: 'incomplete', stoppedBy: 'unreachable' });
  });

  it('DNS failure', async () => {
    const reportDir = path.join(dir, 'dns');
    const r = await runCli([
      'run',
      await scenarioFile('dns', 'http://no-such-host.invalid'),
      '--allow-host',
      'no-such-host.invalid',
      '--report-dir',
      reportDir,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/unreachable: DNS lookup failed/);
  });

  it('a target that accepts connections and never answers, within the timeout', async () => {
    const hang = await hangingServer();
    try {
      const r = await runCli(['run', await scenarioFile('hang', hang.url), '--report-dir', path.join(dir, 'hang')]);
      expect(r.code).toBe(3);
      // The message names the 1000 ms timeout that ended the wait (no wall-clock budget here).
      expect(r.stderr).toContain('unreachable: no answer within 1000 ms');
    } finally {
      await hang.close();
    }
  });

  it('a target answering only 5xx makes the run bail out', async () => {
    const broken = await httpServer((_req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down"}'));
    try {
      const reportDir = path.join(dir, 'bail');
      const r = await runCli([
        'run',
        await scenarioFile('bail', broken.url, 'checks:\n  concurrent-duplicates: { copies: 8, rounds: 5 }\n  sequential-replay: {}\n'),
        '--report-dir',
        reportDir,
      ]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/run stopped early: bail-out: \d+ of \d+ answers were 5xx/);
      expect((await reportIn(reportDir)).summary).toMatchObject({ verdict: 'incomplete', stoppedBy: 'bail-out' });
      expect(broken.hits()).toBeLessThan(40);
    } finally {
      await broken.close();
    }
  });

  it('TLS: a self-signed certificate is refused, and accepted with --ca or --insecure', async () => {
    const sh = promisify(execFile);
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    await sh('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    const server = https.createServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) =>
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"x"}'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const file = await scenarioFile('tls', url, 'checks:\n  missing-key: {}\n');
      const refused = await runCli(['run', file, '--report-dir', path.join(dir, 'tls1')]);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(/unreachable: TLS certificate (is self-signed|cannot be verified)/);
      const withCa = await runCli(['run', file, '--ca', cert, '--report-dir', path.join(dir, 'tls2')]);
      expect(withCa.stderr).toBe('');
      expect(withCa.code).toBe(1); // reachable; this fake API executes keyless requests
      const insecure = await runCli(['run', file, '--insecure', '--report-dir', path.join(dir, 'tls3')]);
      expect(insecure.code).toBe(1);
      // The curl reproductions trust the certificate the way the run did, and really reach the target.
      const reproduce = async (reportDir: string): Promise<string[]> =>
        (await reportIn(reportDir)).results.filter((r: any) => r.verdict === 'fail').flatMap((r: any) => r.reproduce as string[]);
      const caCmds = await reproduce(path.join(dir, 'tls2'));
      const insecureCmds = await reproduce(path.join(dir, 'tls3'));
      expect(caCmds.length).toBeGreaterThan(0);
      expect(insecureCmds.length).toBeGreaterThan(0);
      for (const cmd of caCmds) expect(cmd).toContain(`curl -sS -i --cacert '${cert}' -X POST 'https://127.0.0.1:`);
      for (const cmd of insecureCmds) {
        expect(cmd).toContain(`curl -sS -i -k -X POST 'https://127.0.0.1:`);
        expect(cmd).toMatch(/# -k: the audit ran with --insecure \(TLS certificate not verified\)$/);
      }
      for (const cmd of [caCmds[0]!, insecureCmds[0]!]) expect((await sh('sh', ['-c', cmd])).stdout).toMatch(/^HTTP\/1\.1 201/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }, 120_000);
});

describe('safety rails', () => {
  it('--dry-run prints the planned requests and sends none', async () => {
    const counting = await httpServer((_req, res) => res.writeHead(201).end('{}'));
    try {
      const r = await runCli(['run', 'scenarios/reference.yaml', '--target', counting.url, '--dry-run']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/concurrent-duplicates on create-payment: copy 1\/8: POST http:\/\/127\.0\.0\.1:\d+\/payments key=\S+ tenant=alice/);
      expect(r.stdout).toMatch(/dry run: \d+ requests planned, none sent/);
      expect(counting.hits()).toBe(0);
    } finally {
      await counting.close();
    }
  });

  it('a non-loopback target needs allowHosts or --allow-host (exit 2, nothing sent)', async () => {
    const r = await runCli(['run', 'scenarios/reference.yaml', '--target', 'https://api.example.com']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('target host api.example.com is not loopback and not allowed');
    expect(r.stderr).toContain('--allow-host api.example.com');
  });

  it('--max-requests stops the run with a partial report (exit 3)', async () => {
    const server = await startServe(['--log-level', 'silent']);
    try {
      const reportDir = path.join(dir, 'cap');
      const r = await runCli(['run', 'scenarios/reference.yaml', '--target', server.url, '--max-requests', '12', '--report-dir', reportDir]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('run stopped early: request cap of 12 reached');
      const report = await reportIn(reportDir);
      expect(report.summary).toMatchObject({ verdict: 'incomplete', stoppedBy: 'request-cap' });
      expect(report.exchanges.filter((e: any) => !e.error?.startsWith('not sent')).length).toBeLessThanOrEqual(12);
    } finally {
      await server.stop();
    }
  });

  it('redirects are never followed, least of all to another host', async () => {
    const elsewhere = await httpServer((_req, res) => res.writeHead(201).end('{"id":"stolen"}'));
    const redirecting = await httpServer((_req, res) => res.writeHead(307, { location: `${elsewhere.url}/payments` }).end());
    try {
      const r = await runCli([
        'run',
        await scenarioFile('redirect', redirecting.url, 'checks:\n  sequential-replay: {}\n'),
        '--report-dir',
        path.join(dir, 'redirect'),
      ]);
      expect(redirecting.hits()).toBeGreaterThan(0);
      expect(elsewhere.hits()).toBe(0);
      expect(r.code).toBe(1);
    } finally {
      await elsewhere.close();
      await redirecting.close();
    }
  });

  it('large response bodies are hashed and truncated in evidence, not kept whole', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'a');
    const server = await httpServer((_req, res) => res.writeHead(201, { 'content-type': 'text/plain' }).end(big));
    try {
      const reportDir = path.join(dir, 'big');
      await runCli(['run', await scenarioFile('big', server.url, 'checks:\n  sequential-replay: {}\n'), '--max-body', '4096', '--report-dir', reportDir]);
      const report = await reportIn(reportDir);
      const ex = report.exchanges.find((e: any) => e.response);
      expect(ex.response.bodyBytes).toBe(big.length);
      expect(ex.response.body).toContain(`truncated: ${big.length} bytes in all`);
      expect(ex.response.body.length).toBeLessThan(6000);
    } finally {
      await server.close();
    }
  });

  it('asking for more sockets than file descriptors is a clear error, not EMFILE mid-burst', async () => {
    const server = await startServe(['--log-level', 'silent']);
    try {
      const file = await scenarioFile('fd', server.url, 'checks:\n  concurrent-duplicates: { copies: 256, rounds: 1 }\n');
      // 200 descriptors: loading the CLI alone takes ~130 (its ES modules open in parallel), 256 sockets cannot fit.
      const { stdout, stderr } = await promisify(execFile)(
        'bash',
        ['-c', `ulimit -n 200 && node bin/idemaudit.js run ${file} --report-dir ${path.join(dir, 'fd')}; echo "exit=$?"`],
        { env: { ...process.env, CI: 'true' } },
      );
      expect(stdout).toContain('exit=2');
      expect(stderr).toMatch(/256 concurrent sockets requested but only \d+ file descriptors are free/);
      expect(stderr).toContain('hint: lower the copies or connections, or raise the limit: ulimit -n');
    } finally {
      await server.stop();
    }
  });
});
