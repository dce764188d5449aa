// The estate commands end to end, through the built CLI: inventory of the spec the demo server
// serves, init --from-openapi round trip (validates, passes against serve, fails against a flawed
// serve), observe of the shipped samples, and the loopback-only rule for spec URLs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe } from '../helpers/cli.js';

describe('estate commands', () => {
  let server: Awaited<ReturnType<typeof startServe>>;
  const dir = mkdtempSync(path.join(tmpdir(), 'idemaudit-estate-'));

  beforeAll(async () => {
    server = await startServe(['--log-level', 'silent']);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serve publishes its OpenAPI document, and inventory reads it from the URL', async () => {
    const res = await fetch(`${server.url}/openapi.yaml`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(readFileSync('scenarios/openapi/payments.yaml', 'utf8'));
    const inv = await runCli(['inventory', `${server.url}/openapi.yaml`, '--format', 'json']);
    expect(inv.code).toBe(0);
    const doc = JSON.parse(inv.stdout) as { rows: { method: string; path: string; keyRequired: boolean }[]; verdict: string };
    expect(doc.rows.map((r) => `${r.method} ${r.path} ${r.keyRequired}`)).toEqual(['POST /payments true', 'POST /refunds true']);
    expect(doc.verdict).toBe('pass');
  }, 120_000);

  it('init --from-openapi: the scenario validates, passes against serve and fails against a racy serve', async () => {
    const file = path.join(dir, 'generated.yaml');
    const init = await runCli(['init', file, '--from-openapi', `${server.url}/openapi.yaml`, '--risk', 'critical']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('2 endpoint(s)');
    const validate = await runCli(['validate', file]);
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);

    const run = await runCli(['run', file, '--target', server.url, '--report-dir', dir], { timeoutMs: 120_000 });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/PASS: 14 passed, 0 failed/);

    const racy = await startServe(['--flaw', 'race', '--log-level', 'silent']);
    try {
      const bad = await runCli(['run', file, '--target', racy.url, '--report-dir', dir, '--only', 'concurrent-duplicates'], { timeoutMs: 120_000 });
      expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    } finally {
      await racy.stop();
    }
  }, 240_000);

  it('init --from-openapi refuses filters that select nothing (exit 2)', async () => {
    const res = await runCli(['init', path.join(dir, 'none.yaml'), '--from-openapi', 'scenarios/openapi/payments.yaml', '--tag', 'nope']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/no operation .* matches/);
  }, 120_000);

  it('a spec URL on a host nobody allowed is refused before any request (exit 2)', async () => {
    const res = await runCli(['inventory', 'http://spec.example.invalid/openapi.yaml']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('not loopback and not allowed');
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 120_000);

  it('the inventory gate exits 1 when a critical mutation lacks a required key', async () => {
    const res = await runCli(['inventory', 'test/fixtures/openapi/swagger2.yaml', '--format', 'md']);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('FAIL: 1 critical mutation(s) without a required key: POST /orders/{orderId}/cancel');
    const off = await runCli(['inventory', 'test/fixtures/openapi/swagger2.yaml', '--require-key', 'none']);
    expect(off.code).toBe(0);
  }, 120_000);

  it('observe reads the shipped HAR and JSON lines samples alike, and never prints credentials', async () => {
    const har = await runCli(['observe', 'scenarios/traffic/sample.har', '--spec', 'scenarios/openapi/payments.yaml', '--format', 'json']);
    const jsonl = await runCli(['observe', 'scenarios/traffic/sample.jsonl', '--format', 'json']);
    expect(har.code, har.stderr).toBe(0);
    expect(jsonl.code, jsonl.stderr).toBe(0);
    const a = JSON.parse(har.stdout) as { totals: object; records: number };
    const b = JSON.parse(jsonl.stdout) as { totals: object; records: number };
    expect(a.records).toBeGreaterThan(100);
    expect(a.totals).toEqual(b.totals);
    for (const out of [har.stdout, jsonl.stdout]) expect(out).not.toContain('demo-alice');
    const html = await runCli(['observe', 'scenarios/traffic/sample.har', '--format', 'html', '-o', path.join(dir, 'observe.html')]);
    expect(html.code).toBe(0);
    expect(readFileSync(path.join(dir, 'observe.html'), 'utf8')).toContain('<svg role="img" aria-label="retry intervals of idemaudit/');
  }, 120_000);
});
