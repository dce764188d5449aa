// Observability coverage against the reference server's real /metrics: the audit scrapes before and
// after, and the hit, miss and conflict series moved by what it sent; the governance report says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, runAudit } from '../../src/index.js';
import { renderMarkdown } from '../../src/report/reporters/markdown.js';
import { startServe } from '../helpers/cli.js';

const SCENARIO = `
version: 1
name: obs
target: self
observability: { metrics: /metrics }
defaults:
  headers: { content-type: application/json }
tenants:
  alice: { headers: { Authorization: "Bearer alice-demo-token" } }
endpoints:
  - name: create-payment
    method: POST
    path: /payments
    body: { amount: 1250, currency: EUR, reference: "order-{{seq}}" }
    identity: /id
    keyRequired: mandatory
    risk: critical
checks:
  concurrent-duplicates: { copies: 4, rounds: 2 }
  sequential-replay: {}
`;

let server: Awaited<ReturnType<typeof startServe>>;

beforeAll(async () => {
  server = await startServe(['--processing-ms', '20']);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('observability coverage, end to end', () => {
  it('scrapes the metrics before and after and finds the series moved by the audit', { timeout: 120_000 }, async () => {
    const report = await runAudit(parseScenario(SCENARIO, 'obs.yaml', {}), { target: server.url, seed: 'obs' });
    expect(report.summary.verdict).toBe('pass');
    const obs = report.observability!;
    expect(obs.error).toBeUndefined();
    expect(obs.metrics).toBe(`${server.url}/metrics`);
    const status = Object.fromEntries(obs.series.map((s) => [s.series, s.status]));
    expect(status).toEqual({ hit: 'moved', miss: 'moved', conflict: 'moved', error: 'nothing sent' });
    const md = renderMarkdown(report);
    expect(md).toMatch(/\| Observability coverage \(`observability`\) \| metrics at http:\/\/127\.0\.0\.1:\d+\/metrics \| hit: moved \(\+\d+ for \d+ sent\)/);
  });

  it('a metrics endpoint that does not answer is recorded, not a crash', { timeout: 120_000 }, async () => {
    const text = SCENARIO.replace('observability: { metrics: /metrics }', 'observability: { metrics: /no-such-metrics }');
    const report = await runAudit(parseScenario(text, 'obs.yaml', {}), { target: server.url, seed: 'obs2', only: ['sequential-replay'] });
    expect(report.observability?.error).toMatch(/answered 404/);
    expect(renderMarkdown(report)).toContain('not audited: the metrics endpoint could not be scraped');
  });
});
