// Detection rate of a 1 ms check-then-set race for three ways of sending 8 concurrent duplicates,
// on plain loopback and through a relay adding 20 +/- 10 ms per chunk (seeded): HTTP/1.1 last-byte
// sync, HTTP/2 single-packet, and a naive burst (8 requests started together on their own
// keep-alive connections). A burst "catches" the race when more than one copy executed.
//   npx vitest run --config test/bench/vitest.config.ts burst-modes
// BURST_BENCH_ROUNDS (default 50) sets the bursts per cell.
//
// The second benchmark runs FULL AUDITS instead of raw bursts: `concurrent-duplicates` with its
// default settings against the reference server started with `--flaw race --race-window 1ms`, over
// HTTPS (so auto picks HTTP/2 single-packet; h1-last-byte is TLS last-byte sync), directly and through
// the same relay. The audit has no naive mode: that row sends the audit's planned bursts (3 x 8
// copies, fresh key each) naively, each copy on its own TLS connection, and counts them the same way.
//   npx vitest run --config test/bench/vitest.config.ts burst-modes -t audits
// AUDIT_BENCH_AUDITS (default 50) sets the audits per cell.
import http from 'node:http';
import https from 'node:https';
import { it } from 'vitest';
import { runAudit } from '../../src/index.js';
import { parseScenario } from '../../src/scenario/index.js';
import { startReferenceServer, tlsCertificate } from '../../src/demo/index.js';
import { burst, type BurstItem } from '../../src/engine/burst.js';
import { createRunClock } from '../../src/engine/clock.js';
import { h2Burst } from '../../src/engine/h2-burst.js';
import { startRaceServer } from '../helpers/h2-servers.js';
import { startWanRelay } from '../helpers/wan-relay.js';

const ROUNDS = Number(process.env.BURST_BENCH_ROUNDS ?? 50);
const COPIES = 8;
const WINDOW_MS = 1;

function items(base: string, key: string): BurstItem[] {
  return Array.from({ length: COPIES }, (_, i) => ({
    request: {
      method: 'POST',
      url: `${base}/payments`,
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: Buffer.from('{"amount":100}'),
    },
    meta: { label: `copy ${i + 1}`, endpoint: 'pay', key },
  }));
}

let seq = 0;
const opts = () => ({ clock: createRunClock(), sink: () => {}, nextSeq: () => ++seq, timeoutMs: 10_000, tls: { insecure: true } });

function naive(batch: BurstItem[]): Promise<unknown> {
  return Promise.all(
    batch.map(
      (b) =>
        new Promise<void>((resolve) => {
          const req = http.request(
            b.request.url,
            { method: 'POST', headers: { ...b.request.headers, 'content-length': String(b.request.body!.length) }, agent: false },
            (res) => {
              res.resume();
              res.on('end', resolve);
            },
          );
          req.on('error', () => resolve());
          req.end(b.request.body);
        }),
    ),
  );
}

const spread = (xs: number[]): number => (xs.length < 2 ? 0 : Math.max(...xs) - Math.min(...xs));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

it('prints detection rates and arrival spreads', async () => {
  const rows: string[] = ['| path | mode | caught | median arrival spread (ms) |', '|---|---|---|---|'];
  for (const wan of [false, true]) {
    for (const mode of ['naive', 'h1-last-byte', 'h2-single-packet'] as const) {
      const server = await startRaceServer({ protocol: mode === 'h2-single-packet' ? 'h2c' : 'http', windowMs: WINDOW_MS });
      const relay = wan ? await startWanRelay({ upstreamPort: server.port, meanMs: 20, jitterMs: 10, seed: `bench-${mode}` }) : undefined;
      const base = relay ? relay.url() : server.url;
      let caught = 0;
      const spreads: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const key = `${mode}-${wan}-${r}`;
        const batch = items(base, key);
        if (mode === 'naive') await naive(batch);
        else if (mode === 'h1-last-byte') await burst(batch, opts());
        else await h2Burst(batch, opts());
        if (server.executions(key) > 1) caught += 1;
        spreads.push(spread(server.arrivals(key)));
      }
      rows.push(`| ${wan ? 'relay 20 +/- 10 ms' : 'loopback'} | ${mode} | ${caught}/${ROUNDS} | ${median(spreads).toFixed(3)} |`);
      await relay?.close();
      await server.close();
    }
  }
  console.log(`\n${COPIES} copies per burst, race window ${WINDOW_MS} ms\n${rows.join('\n')}\n`);
});

const AUDITS = Number(process.env.AUDIT_BENCH_AUDITS ?? 50);
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

function auditScenario(mode: 'auto' | 'h1-last-byte') {
  return parseScenario(
    `
version: 1
name: burst-modes-bench
target: self
defaults: { headers: { content-type: application/json }, burst: { mode: ${mode} } }
endpoints:
  - { name: pay, path: /payments, body: { amount: 5, currency: EUR }, identity: /id }
checks:
  concurrent-duplicates: {}
`,
    'burst-modes-bench.yaml',
    {},
  );
}

/** One naive copy on its own TLS connection (no keep-alive, no release sync). */
function naiveHttps(url: string, key: string, ca: string): Promise<void> {
  const body = '{"amount":5,"currency":"EUR"}';
  return new Promise((resolve) => {
    const req = https.request(
      url,
      { method: 'POST', agent: false, ca, headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'idempotency-key': key } },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', () => resolve());
    req.end(body);
  });
}

it('audits: detection rate of a 1 ms race by default concurrent-duplicates, per burst mode', async () => {
  const cert = tlsCertificate();
  const rows: string[] = [
    '| path | mode | audits that caught it | bursts per audit (mean) | first-gap median / p90 (ms) | widest burst per audit, median (ms) |',
    '|---|---|---|---|---|---|',
  ];
  for (const wan of [false, true]) {
    for (const mode of ['naive', 'h1-last-byte', 'h2-single-packet'] as const) {
      const server = await startReferenceServer({ port: 0, admin: true, flaws: ['race'], raceWindowMs: WINDOW_MS, tls: { key: cert.key, cert: cert.cert } });
      const relay = wan ? await startWanRelay({ upstreamPort: server.port, meanMs: 20, jitterMs: 10, seed: `audit-${mode}` }) : undefined;
      const base = relay ? relay.url('https') : server.url;
      let caught = 0;
      let bursts = 0;
      const gaps: number[] = [];
      const widest: number[] = [];
      const modesSeen = new Set<string>();
      for (let a = 0; a < AUDITS; a++) {
        if (mode === 'naive') {
          let doubled = false;
          let widestHere = 0;
          for (let r = 0; r < 3; r++) {
            const key = `naive-${wan}-${a}-${r}`;
            await Promise.all(Array.from({ length: COPIES }, () => naiveHttps(`${base}/payments`, key, cert.cert)));
            const seen = server.ledger.forKey(key);
            if (seen.executions.length > 1) doubled = true;
            const sorted = [...seen.arrivals].sort((x, y) => x - y);
            if (sorted.length > 1) gaps.push(sorted[1]! - sorted[0]!);
            widestHere = Math.max(widestHere, spread(sorted));
            bursts += 1;
          }
          widest.push(widestHere);
          if (doubled) caught += 1;
          continue;
        }
        const report = await runAudit(auditScenario(mode === 'h2-single-packet' ? 'auto' : 'h1-last-byte'), {
          target: base,
          seed: `bench-${mode}-${wan}-${a}`,
          tls: { ca: cert.cert },
        });
        const result = report.results.find((r) => r.check === 'concurrent-duplicates');
        if (result?.verdict === 'fail' && result.level === 'violation') caught += 1;
        const facts = (result?.facts ?? {}) as {
          burst?: { mode?: string };
          raceBound?: { bursts?: number; gapsMs?: number[]; maxSpreadMs?: number };
        };
        if (facts.burst?.mode) modesSeen.add(facts.burst.mode);
        bursts += facts.raceBound?.bursts ?? 0;
        gaps.push(...(facts.raceBound?.gapsMs ?? []));
        if (facts.raceBound?.maxSpreadMs !== undefined) widest.push(facts.raceBound.maxSpreadMs);
      }
      const label = mode === 'naive' ? 'naive (3 x 8 copies, own TLS connections; not an audit)' : `${mode}${modesSeen.size ? '' : ' (mode not reported!)'}`;
      if (mode !== 'naive' && (modesSeen.size !== 1 || !modesSeen.has(mode))) console.log(`warning: ${mode} row ran as ${[...modesSeen].join(', ')}`);
      rows.push(
        `| ${wan ? 'relay 20 +/- 10 ms' : 'loopback'} | ${label} | ${caught}/${AUDITS} | ${(bursts / AUDITS).toFixed(1)} | ${median(gaps).toFixed(3)} / ${pct(gaps, 0.9).toFixed(3)} | ${median(widest).toFixed(3)} |`,
      );
      console.log(rows[rows.length - 1]);
      await relay?.close();
      await server.close();
    }
  }
  console.log(
    `\nFull audits: concurrent-duplicates defaults (copies 8, rounds 3, budgetMs 3000), reference server over HTTPS with --flaw race --race-window ${WINDOW_MS}ms, processing 50 ms\n${rows.join('\n')}\n`,
  );
});
