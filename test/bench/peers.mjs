#!/usr/bin/env node
// The reference layer against the peer packages a user would pick instead, on ONE express 5 handler
// (test/bench/peers-server.mjs), side by side in one run (built dist/, plain node; not in npm test):
//
//   node test/bench/peers.mjs [--duration 3] [--rounds 2] [--rate 2000] [--rate-seconds 4] [--connections 50]
//                             [--variants bare,idemaudit-memory,...] [--no-write]
//
// Per variant, each in a fresh server process, variants alternating in a rotated order every round:
//   - sanity: the same key twice must give the same payment id (else the variant's figures mean nothing);
//   - unique keys: autocannon, 50 connections, closed model, `duration` s after a 1 s warm-up: req/s,
//     and server CPU per request (process.cpuUsage() of the server around the run);
//   - replays: 1,000 keys executed once, then replayed round-robin for `duration` s: req/s;
//   - p99 at a steady `rate` req/s (open model, undici Pool, latency from the intended send time).
// Redis variants use a throwaway redis-server on a free port. Medians over rounds go to
// test/bench/RESULTS.md between the bench:peers markers.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { startOwnRedis } from './own-redis.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..', '..');
const SERVER = join(HERE, 'peers-server.mjs');
const RESULTS = join(HERE, 'RESULTS.md');
const START = '<!-- bench:peers:start -->';
const END = '<!-- bench:peers:end -->';
const PAYMENT = JSON.stringify({ amount: 1000, currency: 'EUR' });
const REPLAY_KEYS = 1000;
const ALL = [
  'bare',
  'idemaudit-memory',
  'express-idempotency-memory',
  'node-idempotency-memory',
  'powertools-memory',
  'idemaudit-redis',
  'idemaudit-node-redis',
  'express-idempotency-redis',
  'node-idempotency-redis',
  'powertools-redis',
];

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    rate: { type: 'string', default: '2000' },
    'rate-seconds': { type: 'string', default: '4' },
    connections: { type: 'string', default: '50' },
    variants: { type: 'string', default: ALL.join(',') },
    'no-write': { type: 'boolean', default: false },
  },
});
const DURATION = Number(args.duration);
const ROUNDS = Number(args.rounds);
const RATE = Number(args.rate);
const RATE_SECONDS = Number(args['rate-seconds']);
const CONNECTIONS = Number(args.connections);
const VARIANTS = args.variants.split(',').filter(Boolean);
const tag = randomBytes(4).toString('hex');
let keySeq = 0;
const freshKey = () => `k-${tag}-${++keySeq}`;

function startVariant(variant, redisUrl) {
  return new Promise((resolve, reject) => {
    const child = fork(SERVER, [variant], {
      cwd: ROOT,
      env: { ...process.env, BENCH_REDIS_URL: redisUrl, BENCH_PREFIX: `bench:${tag}:` },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${variant} did not start`));
    }, 15_000);
    child.once('exit', (code) => reject(new Error(`${variant} exited with ${code}`)));
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve({ child, url: message.url, variant });
    });
  });
}

const ask = (server, type) =>
  new Promise((resolve) => {
    server.child.once('message', resolve);
    server.child.send({ type });
  });

async function stopVariant(server) {
  server.child.removeAllListeners('exit');
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.send({ type: 'close' });
  await Promise.race([exited, sleep(5_000).then(() => server.child.kill('SIGKILL'))]);
}

async function post(url, key) {
  const res = await fetch(`${url}/payments`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `"${key}"` }, body: PAYMENT });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

function cannon(url, nextKey, seconds) {
  return new Promise((resolve, reject) => {
    let non2xx = 0;
    const instance = autocannon(
      {
        url: `${url}/payments`,
        method: 'POST',
        connections: CONNECTIONS,
        duration: seconds,
        headers: { 'content-type': 'application/json' },
        body: PAYMENT,
        requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': `"${nextKey()}"` } }) }],
      },
      (error, result) => (error ? reject(error) : resolve({ ...result, non2xx })),
    );
    instance.on('response', (_client, status) => {
      if (status !== 201 && status !== 200) non2xx++;
    });
  });
}

async function openModel(url, rate, seconds) {
  const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
  const latencies = [];
  let other = 0;
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const inflight = new Set();
  const start = performance.now() + 5;
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
    for (; sent < due; sent++) {
      const intended = start + sent * interval;
      const p = pool
        .request({ path: '/payments', method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `"${freshKey()}"` }, body: PAYMENT })
        .then(async (res) => {
          await res.body.dump();
          if (res.statusCode !== 201) other++;
          latencies.push(performance.now() - intended);
        })
        .catch(() => other++)
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await sleep(1);
  }
  await Promise.race([Promise.all(inflight), sleep(10_000)]);
  await pool.destroy();
  latencies.sort((a, b) => a - b);
  return { p50: latencies[Math.floor(latencies.length * 0.5)], p99: latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)], other };
}

async function measure(variant, redisUrl) {
  const server = await startVariant(variant, redisUrl);
  try {
    const sanityKey = freshKey();
    const a = await post(server.url, sanityKey);
    const b = await post(server.url, sanityKey);
    // A retry with the same key must get the first payment back (bare has no layer: not applicable).
    const sane = a.status === 201 && b.status === 201 && a.body?.id !== undefined && a.body.id === b.body?.id;
    await cannon(server.url, freshKey, 1); // warm-up
    const before = (await ask(server, 'cpu')).usage;
    const unique = await cannon(server.url, freshKey, DURATION);
    const after = (await ask(server, 'cpu')).usage;
    const requests = unique.requests.total;
    const cpuUs = (after.user - before.user + after.system - before.system) / Math.max(1, requests);
    const replayKeys = Array.from({ length: REPLAY_KEYS }, freshKey);
    for (let i = 0; i < replayKeys.length; i += 50) await Promise.all(replayKeys.slice(i, i + 50).map((key) => post(server.url, key)));
    let r = 0;
    const replays = await cannon(server.url, () => replayKeys[r++ % REPLAY_KEYS], DURATION);
    const steady = await openModel(server.url, RATE, RATE_SECONDS);
    return {
      variant,
      sane,
      uniqueRps: unique.requests.average,
      uniqueNon2xx: unique.non2xx,
      cpuUs,
      replayRps: replays.requests.average,
      replayNon2xx: replays.non2xx,
      p99: steady.p99,
      p50: steady.p50,
      steadyOther: steady.other,
    };
  } finally {
    await stopVariant(server);
  }
}

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2;
};

const startedAt = new Date();
const loadBefore = os.loadavg();
const redis = VARIANTS.some((v) => v.endsWith('redis')) ? await startOwnRedis() : undefined;
const runs = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
    for (const variant of order) {
      try {
        const result = await measure(variant, redis?.url ?? '');
        runs.push(result);
        console.log(
          `round ${round + 1} ${variant}: ${result.uniqueRps.toFixed(0)} req/s unique, ${result.cpuUs.toFixed(0)} µs CPU/req, ${result.replayRps.toFixed(0)} req/s replays, p99 ${result.p99.toFixed(2)} ms at ${RATE}/s${result.sane || variant === 'bare' ? '' : ' (SANITY FAILED: a retry did not replay)'}`,
        );
      } catch (error) {
        console.log(`round ${round + 1} ${variant}: failed: ${error.message}`);
      }
    }
  }
} finally {
  await redis?.stop();
}
const loadAfter = os.loadavg();

const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const sign = (x, f) => (x >= 0 ? `+${f(x)}` : `${f(x)}`);
const rows = VARIANTS.map((variant) => {
  const mine = runs.filter((r) => r.variant === variant);
  return {
    variant,
    n: mine.length,
    sane: mine.length > 0 && mine.every((r) => r.sane),
    uniqueRps: median(mine.map((r) => r.uniqueRps)),
    cpuUs: median(mine.map((r) => r.cpuUs)),
    replayRps: median(mine.map((r) => r.replayRps)),
    p99: median(mine.map((r) => r.p99)),
    non2xx: mine.reduce((sum, r) => sum + r.uniqueNon2xx + r.replayNon2xx + r.steadyOther, 0),
  };
});
const bare = rows.find((r) => r.variant === 'bare');
const lines = [
  START,
  `Run ${startedAt.toISOString()}: ${ROUNDS} round(s), ${DURATION} s per throughput run at ${CONNECTIONS} connections, p99 over ${RATE_SECONDS} s at ${RATE} req/s (open model); ` +
    `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average ${loadBefore.map((x) => x.toFixed(1)).join('/')} before, ${loadAfter.map((x) => x.toFixed(1)).join('/')} after (other processes share the machine).`,
  '',
  '| variant | replays a retry | unique keys req/s (x bare) | server CPU µs/request (over bare) | replays req/s | p99 at steady rate ms (over bare) | non-2xx |',
  '|---|---|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.variant} | ${r.variant === 'bare' ? 'n/a' : r.sane ? 'yes' : '**no**'} | ${f0(r.uniqueRps)}${bare && r !== bare ? ` (${f2(r.uniqueRps / bare.uniqueRps)}x)` : ''} | ${f0(r.cpuUs)}${bare && r !== bare ? ` (${sign(r.cpuUs - bare.cpuUs, f0)})` : ''} | ${f0(r.replayRps)} | ${f2(r.p99)}${bare && r !== bare ? ` (${sign(r.p99 - bare.p99, f2)})` : ''} | ${r.non2xx} |`,
  ),
  END,
];
const section = lines.join('\n');
console.log(`\n${section}`);
if (!args['no-write']) {
  const text = readFileSync(RESULTS, 'utf8');
  const next = text.includes(START)
    ? text.slice(0, text.indexOf(START)) + section + text.slice(text.indexOf(END) + END.length)
    : `${text.trimEnd()}\n\n## Peers on one express 5 handler\n\n${section}\n`;
  writeFileSync(RESULTS, next);
}
