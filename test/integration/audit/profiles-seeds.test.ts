// Profiles are data (a custom profile declared in the scenario changes the grading), and a seed
// reproduces a run: the same keys and payload variants, request for request.
import { afterAll, describe, expect, it } from 'vitest';
import type { OutgoingRequest } from '../../../src/core/exchange.js';
import { runAudit } from '../../../src/index.js';
import { startReferenceServer } from '../../../src/demo/index.js';
import { loadScenarioFile, parseScenario } from '../../../src/scenario/index.js';

const servers: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('custom profiles', () => {
  it('grade the same server by the rules they declare, citing themselves', async () => {
    const server = await startReferenceServer({ admin: true, port: 0 });
    servers.push(server);
    const scenario = parseScenario(
      `
version: 1
name: custom-profile
target: self
profile: acme
profiles:
  acme:
    extends: ietf-07
    expect: { mismatch: [409] }
    replayMarker: { header: Idempotent-Replayed, required: true }
defaults: { headers: { content-type: application/json } }
endpoints:
  - { name: pay, path: /payments, body: { amount: 5, currency: EUR }, identity: /id }
checks:
  payload-mismatch: {}
  sequential-replay: {}
`,
      'custom.yaml',
      {},
    );
    const report = await runAudit(scenario, { target: server.url, seed: 'p' });
    expect(report.profile).toBe('acme');
    const mismatch = report.results.find((r) => r.check === 'payload-mismatch');
    // The reference server answers 422 as ietf-07 says; acme wants 409: a deviation, citing acme.
    expect(mismatch).toMatchObject({ verdict: 'fail', level: 'deviation', message: expect.stringContaining('acme expects 409') });
    expect(mismatch!.reference).toMatch(/^profile acme \(from ietf-07: /);
    expect(report.results.find((r) => r.check === 'sequential-replay')).toMatchObject({ verdict: 'pass' });
  });
});

describe('seeds', () => {
  const plan = async (seed: string): Promise<string[]> => {
    const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
    const planned: string[] = [];
    await runAudit(scenario, {
      seed,
      dryRun: true,
      only: ['concurrent-duplicates', 'sequential-replay', 'payload-mismatch', 'cross-tenant', 'fingerprint'],
      onPlanned: (req: OutgoingRequest, meta) =>
        planned.push(`${meta.label} ${req.method} ${req.url} ${req.headers['idempotency-key'] ?? '-'} ${req.body?.toString() ?? ''}`),
    });
    return planned;
  };

  it('the same seed gives the same keys and payload variants; another seed other keys', async () => {
    const [a, b, c] = await Promise.all([plan('s-1'), plan('s-1'), plan('s-2')]);
    expect(a.length).toBeGreaterThan(20);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(c.map((l) => l.split(' ')[0])).toEqual(a.map((l) => l.split(' ')[0]));
  });
});
