// Detection rate of a 1 ms check-then-set race for three ways of sending 8 concurrent duplicates,
// on plain loopback and through a relay adding 20 +/- 10 ms per chunk (seeded): HTTP/1.1 last-byte
// sync, HTTP/2 single-packet, and a naive burst (8 requests started together on their own
// keep-alive connections). A burst "catches" the race when more than one copy executed.
//   npx vitest run --config test/bench/vitest.config.ts burst-modes
// BURST_BENCH_ROUNDS (default 50) sets the bursts per cell.
import http from 'node:http';
import { it } from 'vitest';
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
