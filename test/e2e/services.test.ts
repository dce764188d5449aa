// Across services, end to end through the CLI: the README's one command audits the demo topology
// (service A calling B through a downstream recorder); an external app calls the recorder at the
// fixed port its scenario declares; `idemaudit downstream` runs one recorder on its own.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, spawnCli, startServe, waitForOutput } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-services-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A port nobody listens on right now (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('across services (CLI)', () => {
  it('the README\'s "Across services" command audits the demo topology and passes, every downstream check run', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Across services'), readme.indexOf('## Findings and fixes'));
    const command = /^npx idemaudit (run scenarios\/services\.yaml)$/m.exec(section)?.[1];
    expect(command).toBe('run scenarios/services.yaml');
    const r = await runCli([...command!.split(' '), '--report-dir', dir, '--format', 'json'], { timeoutMs: 120_000 });
    expect(r.code, `${r.stdout.slice(-2000)}\n${r.stderr}`).toBe(0);
    const file = /report: (\S+\.json)/.exec(r.stdout)?.[1];
    const report = JSON.parse(await readFile(file!, 'utf8')) as { results: Array<{ check: string; verdict: string }> };
    for (const c of ['downstream-propagation', 'downstream-dedupe', 'downstream-failure'])
      expect(report.results.filter((x) => x.check === c).map((x) => x.verdict)).toEqual(['pass']);
  }, 130_000);

  it('an external app calls the recorder at the fixed port its scenario declares; port 0 is refused for it (exit 2)', async () => {
    // The declared port is free when picked, but another process may take it before the audit
    // listens on it (a busy CI box, a second suite): that attempt proves nothing and gets a new port.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      // The lease a give-up leaves behind must expire within the check's retries (30 x 100 ms).
      const app = await startServe(['--downstream', `http://127.0.0.1:${port}`, '--flaw', 'downstream-fresh-key', '--lease', '1s']);
      try {
        const yaml = (await readFile(path.join(ROOT, 'scenarios/services.yaml'), 'utf8'))
          .replace(/^ {4}port: 0$/m, `    port: ${port}`)
          .replace(/^targets:\n(?: {2}.*\n)+/m, '');
        expect(yaml).toContain(`port: ${port}`);
        // One external app: the scenario's two embedded instances (targets: self) do not apply.
        expect(yaml).not.toMatch(/^targets:/m);
        const external = path.join(dir, 'services-external.yaml');
        await writeFile(external, yaml);
        const r = await runCli(['run', external, '--target', app.url, '--report-dir', dir, '--only', 'downstream-dedupe'], { timeoutMs: 120_000 });
        if (r.code === 2 && r.stderr.includes(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`) && attempt < 3) continue;
        // The flawed app, reached as an external target, is caught by the owning check.
        expect(r.code, `${r.stdout.slice(-2000)}\n${r.stderr}`).toBe(1);
        expect(r.stdout).toMatch(/downstream-dedupe/);
        expect(r.stdout).toMatch(/side effects/);

        // The same scenario with port 0 (still without the embedded instances) against the external app.
        const zeroFile = path.join(dir, 'services-port-zero.yaml');
        await writeFile(zeroFile, yaml.replace(`    port: ${port}`, '    port: 0'));
        const zero = await runCli(['run', zeroFile, '--target', app.url, '--report-dir', dir], { timeoutMs: 60_000 });
        expect(zero.code).toBe(2);
        expect(zero.stderr).toMatch(/downstream processor: an external target cannot learn a free port/);
        return;
      } finally {
        await app.stop();
      }
    }
  }, 240_000);

  it('`idemaudit downstream` records calls, fails the first after commit (through its fault proxy), serves them on its query route and prints them on exit', async () => {
    const { child, result } = spawnCli(['downstream', '--port', '0', '--fail-after-commit', '1', '--status', '202']);
    const url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      child.stdout!.on('data', (d: Buffer) => {
        seen += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`exited early: ${seen}`)));
    });
    const post = async (key: string) => {
      const res = await request(`${url}/charges`, { method: 'POST', headers: { 'idempotency-key': key, 'x-request-id': `corr-${key}` }, body: '{}' });
      await res.body.text();
      return res.statusCode;
    };
    expect(await post('k1')).toBe(503);
    expect(await post('k1')).toBe(202);
    // B committed and answered both calls; the 503 was the fault proxy's (error-after-upstream), so
    // the recorded answers are B's own.
    const calls = (await (await request(`${url}/_downstream/calls`)).body.json()) as { calls: Array<{ key: string; answer: number }> };
    expect(calls.calls.map((c) => [c.key, c.answer])).toEqual([
      ['k1', 202],
      ['k1', 202],
    ]);
    const exited = waitForOutput(child.stdout, /recorded 2 call/);
    child.kill('SIGINT');
    await exited;
    const r = await result;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fault error-after-upstream POST \/charges key=k1 upstream=202/);
    expect(r.stdout).toMatch(/#1 \S+ POST \/charges key=k1 correlation=corr-k1 body-sha256=\w{16} answer=202/);
    expect(r.stdout).toMatch(/#2 .* answer=202/);
    expect(r.stdout).toMatch(/faults injected: error-after-upstream 1/);
  }, 60_000);

  it('`idemaudit downstream --fault`: the fault proxy in front of B injects each spec into the calls it matches; B records every call', async () => {
    const { child, result } = spawnCli([
      'downstream',
      '--port',
      '0',
      '--seed',
      'e2e',
      '--fault',
      'error-after-upstream,status=507,method=POST,path=/charges/fail',
      '--fault',
      'drop-response-after-upstream,path=/charges/lost',
      '--fault',
      'latency,ms=50,path=/charges/slow',
    ]);
    const banner = waitForOutput(child.stdout, /recorded calls: GET/);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await banner;
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(url, out).toBeDefined();
    expect(out).toMatch(
      /faults: error-after-upstream,status=507,method=POST,path=\/charges\/fail drop-response-after-upstream,path=\/charges\/lost latency,ms=50,jitterMs=0,path=\/charges\/slow; seed e2e/,
    );
    const post = async (path: string, key: string): Promise<number | string> => {
      try {
        const res = await request(`${url}${path}`, { method: 'POST', headers: { 'idempotency-key': key, connection: 'close' }, body: '{}' });
        await res.body.text();
        return res.statusCode;
      } catch (err) {
        return (err as { code?: string }).code ?? 'error';
      }
    };
    expect(await post('/charges/ok', 'a')).toBe(201);
    expect(await post('/charges/fail', 'b')).toBe(507);
    expect(await post('/charges/lost', 'c')).not.toBe(201);
    expect(await post('/charges/slow', 'd')).toBe(201);
    // Every call reached B (committed) and B answered each 201, whatever the caller got.
    const doc = (await (await request(`${url}/_downstream/calls`)).body.json()) as { calls: Array<{ path: string; answer: number }> };
    expect(doc.calls.map((c) => [c.path, c.answer])).toEqual([
      ['/charges/ok', 201],
      ['/charges/fail', 201],
      ['/charges/lost', 201],
      ['/charges/slow', 201],
    ]);
    const exited = waitForOutput(child.stdout, /faults injected/);
    child.kill('SIGINT');
    await exited;
    const r = await result;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fault error-after-upstream POST \/charges\/fail key=b upstream=201/);
    expect(r.stdout).toMatch(/fault drop-response-after-upstream POST \/charges\/lost key=c upstream=201/);
    expect(r.stdout).toMatch(/fault latency POST \/charges\/slow key=d delay=50ms/);
    expect(r.stdout).toMatch(/recorded 4 call\(s\)/);
    expect(r.stdout).toMatch(/faults injected: error-after-upstream 1, drop-response-after-upstream 1, latency 1/);
  }, 60_000);

  it('`idemaudit downstream --quiet` prints no line per fault; a bad --fault spec is refused before anything listens; --help shows fault examples', async () => {
    const { child, result } = spawnCli(['downstream', '--port', '0', '--quiet', '--fault', 'gateway-status,status=504']);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitForOutput(child.stdout, /recorded calls: GET/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    const res = await request(`${url}/charges`, { method: 'POST', headers: { 'idempotency-key': 'q' }, body: '{}' });
    await res.body.text();
    expect(res.statusCode).toBe(504);
    const exited = waitForOutput(child.stdout, /faults injected/);
    child.kill('SIGINT');
    await exited;
    const r = await result;
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/^fault /m);
    expect(r.stdout).toMatch(/faults injected: gateway-status 1/);

    const bad = await runCli(['downstream', '--port', '0', '--fault', 'error-after-upstream,status=404']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/--fault 'error-after-upstream,status=404'/)]);
    const unknown = await runCli(['downstream', '--port', '0', '--fault', 'error-after-upstrem']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/did you mean 'error-after-upstream'/)]);
    const help = await runCli(['downstream', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--fault <spec>/);
    expect(help.stdout).toMatch(/--seed <seed>/);
    expect(help.stdout).toMatch(/--quiet/);
    expect(help.stdout).toMatch(/idemaudit downstream --port 4100 --fault error-after-upstream:0\.2,status=503/);
  }, 60_000);

  it('refuses bad input with exit 2: a non-loopback host, a non-5xx failure status, downstream flaws without --downstream', async () => {
    const host = await runCli(['downstream', '--host', '10.0.0.1']);
    expect([host.code, host.stderr]).toEqual([2, expect.stringMatching(/loopback only/)]);
    const status = await runCli(['downstream', '--fail-status', '404']);
    expect([status.code, status.stderr]).toEqual([2, expect.stringMatching(/expected a 5xx status/)]);
    const serve = await runCli(['serve', '--port', '0', '--flaw', 'downstream-no-key']);
    expect([serve.code, serve.stderr]).toEqual([2, expect.stringMatching(/needs --downstream <url>/)]);
  }, 60_000);
});
