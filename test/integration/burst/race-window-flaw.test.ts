// The race flaw narrowed to a window (`serve --flaw race --race-window 5ms`) is caught by
// concurrent-duplicates over HTTP/2 (TLS, ALPN h2), HTTP/1.1 last-byte over TLS and over plain HTTP;
// the correct server passes the same audits. Count-bound: 10 bursts of 8 copies and no adaptive
// hunt (its budget is wall-clock). The window is 5 ms rather than the figures' 1 ms because a loaded
// 2-core machine has been seen to spread one HTTP/2 packet's streams over milliseconds; the 1 ms
// rates, per mode and through a jittery path, come from test/bench/burst-modes.bench.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/index.js';
import { parseScenario } from '../../../src/scenario/index.js';
import { startReferenceServer, tlsCertificate, type ReferenceServer } from '../../../src/demo/index.js';
import { runCli } from '../../helpers/cli.js';

const cert = tlsCertificate();
const servers: ReferenceServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

type Transport = 'https auto (h2)' | 'https h1-last-byte' | 'http h1-last-byte';
const TRANSPORTS: Transport[] = ['https auto (h2)', 'https h1-last-byte', 'http h1-last-byte'];

async function serve(transport: Transport, racy: boolean): Promise<ReferenceServer> {
  const s = await startReferenceServer({
    port: 0,
    admin: true,
    ...(racy ? { flaws: ['race'], raceWindowMs: 5 } : {}),
    ...(transport.startsWith('https') ? { tls: { key: cert.key, cert: cert.cert } } : {}),
  });
  servers.push(s);
  return s;
}

function audit(url: string, transport: Transport) {
  const mode = transport === 'https auto (h2)' ? 'auto' : 'h1-last-byte';
  const scenario = parseScenario(
    `
version: 1
name: race-window-flaw
target: self
defaults: { headers: { content-type: application/json }, burst: { mode: ${mode} } }
endpoints:
  - { name: pay, path: /payments, body: { amount: 5, currency: EUR }, identity: /id }
checks:
  concurrent-duplicates: { copies: 8, rounds: 10, budgetMs: 0 }
`,
    'race-window-flaw.yaml',
    {},
  );
  return runAudit(scenario, { target: url, seed: `rw-${transport}`, tls: { ca: cert.cert } });
}

describe('race flaw with a 5 ms window, 10 bursts of 8 copies', () => {
  it.each(TRANSPORTS)('%s: caught as a violation', async (transport) => {
    const s = await serve(transport, true);
    const report = await audit(s.url, transport);
    const [result] = report.results.filter((r) => r.check === 'concurrent-duplicates');
    expect(result, JSON.stringify(report.results.map((r) => r.message))).toMatchObject({ verdict: 'fail', level: 'violation' });
    expect(result!.facts).toMatchObject({ burst: { mode: transport === 'https auto (h2)' ? 'h2-single-packet' : 'h1-last-byte' } });
  });

  it.each(TRANSPORTS)('%s: the correct server passes', async (transport) => {
    const s = await serve(transport, false);
    const report = await audit(s.url, transport);
    const [result] = report.results.filter((r) => r.check === 'concurrent-duplicates');
    expect(result, JSON.stringify(report.results.map((r) => r.message))).toMatchObject({ verdict: 'pass' });
  });
});

describe('serve --race-window', () => {
  it('refuses a bad duration with the accepted forms, exit 2 and no stack', async () => {
    const r = await runCli(['serve', '--port', '0', '--flaw', 'race', '--race-window', '1'], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--race-window <duration>' argument '1' is invalid\. expected a duration above 0 and at most 60s, with its unit, such as 1ms/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a window without the race flaw, exit 2 with a hint', async () => {
    const r = await runCli(['serve', '--port', '0', '--race-window', '1ms'], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--race-window sets the window of the race flaw, which is not enabled\n\s+hint: add --flaw race/);
  });
});
