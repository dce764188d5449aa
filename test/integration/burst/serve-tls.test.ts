// The demo server over TLS speaks HTTP/2 and HTTP/1.1: the bundled audit runs against it, its
// concurrent duplicates go out as HTTP/2 single-packet bursts (auto mode, ALPN h2), and the race
// flaw is caught there too.
import { afterEach, describe, expect, it } from 'vitest';
import http2 from 'node:http2';
import { runAudit } from '../../../src/index.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';
import { startReferenceServer, tlsCertificate, type ReferenceServer } from '../../../src/demo/index.js';

const cert = tlsCertificate();
const servers: ReferenceServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

async function serve(flaws: string[] = []): Promise<ReferenceServer> {
  const s = await startReferenceServer({ port: 0, tls: { key: cert.key, cert: cert.cert }, flaws, processingMs: 100 });
  servers.push(s);
  return s;
}

async function audit(url: string) {
  const scenario = await loadScenarioFile('scenarios/reference.yaml');
  return runAudit(scenario, { target: url, only: ['concurrent-duplicates', 'sequential-replay'], seed: 'tls', tls: { ca: cert.cert } });
}

describe('serve over TLS (HTTP/2 and HTTP/1.1)', () => {
  it('answers HTTP/2 clients', async () => {
    const s = await serve();
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const session = http2.connect(s.url, { ca: cert.cert });
    const status = await new Promise<number>((resolve, reject) => {
      const req = session.request({ ':method': 'GET', ':path': '/_idemaudit/health' });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', reject);
      req.end();
    });
    session.close();
    expect(status).toBe(200);
  });

  it('the correct server passes, with single-packet bursts', async () => {
    const s = await serve();
    const report = await audit(s.url);
    const cd = report.results.filter((r) => r.check === 'concurrent-duplicates');
    expect(cd.length).toBeGreaterThan(0);
    expect(cd.every((r) => r.verdict === 'pass')).toBe(true);
    expect(cd[0]!.facts).toMatchObject({ burst: { mode: 'h2-single-packet', segments: 1 } });
    expect(report.summary.counts.fail).toBe(0);
  });

  it('the race flaw is caught over HTTP/2', async () => {
    const s = await serve(['race']);
    const report = await audit(s.url);
    expect(report.results.some((r) => r.check === 'concurrent-duplicates' && r.verdict === 'fail' && r.level === 'violation')).toBe(true);
  });
});
