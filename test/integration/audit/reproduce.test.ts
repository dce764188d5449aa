// A finding's curl reproduction actually reproduces it: run the commands from the report against
// the same flawed server and see the bug again.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/audit/run.js';
import { startReferenceServer } from '../../../src/demo/index.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';

const sh = promisify(execFile);
const servers: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

// Parallel transfers print back to back (bodies end without a newline): match anywhere.
const statusLines = (out: string): string[] => [...out.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]!);

describe('curl reproductions', () => {
  it('replays a payload-mismatch finding against a server without fingerprints', async () => {
    const server = await startReferenceServer({ admin: true, port: 0, flaws: ['no-fingerprint'] });
    servers.push(server);
    const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
    const report = await runAudit(scenario, { target: server.url, only: ['payload-mismatch'], seed: 'repro' });
    const finding = report.results.find((r) => r.check === 'payload-mismatch' && r.verdict === 'fail');
    expect(finding?.reproduce?.length).toBeGreaterThanOrEqual(2);
    const env = { ...process.env, IDEMAUDIT_AUTHORIZATION: 'Bearer alice-demo-token' };
    const outputs: string[] = [];
    for (const cmd of finding!.reproduce!) outputs.push((await sh('bash', ['-c', cmd], { env, timeout: 10_000 })).stdout);
    // The original replays, and so does the changed payload: same status, same body, no 422.
    expect(statusLines(outputs[0]!)).toEqual(['201']);
    expect(statusLines(outputs[1]!)).toEqual(['201']);
    const body = (out: string) => out.slice(out.indexOf('\r\n\r\n') + 4);
    expect(body(outputs[1]!)).toBe(body(outputs[0]!));
    expect(outputs[1]).toMatch(/idempotent-replayed: true/i);
  });

  it('replays a concurrent-duplicates finding in parallel against a racy server', async () => {
    // 300 ms of processing, so parallel curls overlap even when process start-up is slow.
    const server = await startReferenceServer({ admin: true, port: 0, flaws: ['race'], processingMs: 300 });
    servers.push(server);
    const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
    const report = await runAudit(scenario, { target: server.url, only: ['concurrent-duplicates'], seed: 'repro' });
    const finding = report.results.find((r) => r.check === 'concurrent-duplicates' && r.verdict === 'fail');
    expect(finding?.reproduce).toHaveLength(1);
    // A fresh key, so the reproduction races on its own rather than replaying the audit's result.
    const cmd = finding!.reproduce![0]!.replace(/idempotency-key: "[^"]+"/g, 'idempotency-key: "repro-race-1"');
    const { stdout } = await sh('bash', ['-c', cmd], { env: { ...process.env, IDEMAUDIT_AUTHORIZATION: 'Bearer alice-demo-token' }, timeout: 10_000 });
    expect(statusLines(stdout).filter((s) => s === '201').length, stdout).toBeGreaterThan(1);
  });
});
