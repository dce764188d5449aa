#!/usr/bin/env node
// Memory of `idemaudit serve` over many unique-key requests, on both stores, side by side: the RSS
// curve must flatten once the bounded records (--max-records) are full. Not a timed test and not
// part of `npm test`:  npm run build && node test/bench/memory-curve.mjs [--requests 1000000]
//   [--connections 32] [--max-records 100000] [--stores memory,redis]
// Each request is a POST /payments with a fresh key, at the default retention (24 h), so nothing
// expires during the run: only the --max-records bound (the memory store's maxRecords and the demo
// records) can keep memory flat. RSS is read from /proc; the V8 heap from a probe preloaded into the
// server (heap-probe.mjs). Prints the curve, the peak and a levels-off verdict (RSS over the last half
// of the run within 15% of its value at the half-way point), and deletes its Redis keys (own prefix).
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { Redis } from 'ioredis';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const REQUESTS = Math.min(5_000_000, Number(arg('requests', '1000000')));
const CONNECTIONS = Math.min(128, Number(arg('connections', '32')));
const MAX_RECORDS = arg('max-records', '100000');
const STORES = arg('stores', 'memory,redis').split(',');
const SAMPLES = 40;
const PREFIX = `idem-bench-mem-${process.pid}:`;

const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const heapFile = (store) => path.join(os.tmpdir(), `idem-heap-${process.pid}-${store}.json`);
const heapOf = (store) => {
  try {
    return JSON.parse(readFileSync(heapFile(store), 'utf8')).heapUsed / 1048576;
  } catch {
    return Number.NaN;
  }
};
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function startServe(store) {
  return new Promise((resolve, reject) => {
    const args = [
      path.join(ROOT, 'bin/idemaudit.js'),
      'serve',
      '--port',
      '0',
      '--processing-ms',
      '0',
      '--log-level',
      'silent',
      '--max-records',
      MAX_RECORDS,
      '--store',
      store,
    ];
    if (store === 'redis') args.push('--redis-prefix', PREFIX);
    const probe = ['--import', path.join(ROOT, 'test/bench/heap-probe.mjs')];
    const child = spawn(process.execPath, [...probe, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, HEAP_PROBE_FILE: heapFile(store) },
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start: ${out}`));
    }, 15_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child });
      }
    });
  });
}

async function curve(store) {
  const { url, child } = await startServe(store);
  const dispatcher = new Agent({ connections: CONNECTIONS });
  const body = '{"amount":100,"currency":"EUR"}';
  const loadBefore = load();
  const started = Date.now();
  const sample = (requests) => ({ requests, rssMB: rssOf(child.pid), heapMB: heapOf(store) });
  const points = [sample(0)];
  let next = 0;
  let failures = 0;
  const step = Math.ceil(REQUESTS / SAMPLES);
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      for (let i = next++; i < REQUESTS; i = next++) {
        try {
          const r = await request(`${url}/payments`, {
            method: 'POST',
            dispatcher,
            body,
            headers: { 'content-type': 'application/json', 'idempotency-key': `"m${i}-${process.pid}"` },
          });
          await r.body.dump();
          if (r.statusCode !== 201) failures++;
        } catch {
          failures++;
        }
        if ((i + 1) % step === 0) {
          const point = sample(i + 1);
          points.push(point);
          // Progress on stderr, so a long run can be watched (and its curve kept if it is cut short).
          process.stderr.write(`${store} ${point.requests} rss ${point.rssMB.toFixed(1)} MB heap ${point.heapMB.toFixed(1)} MB load ${load()}\n`);
        }
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const loadAfter = load();
  await dispatcher.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('close', r));
  rmSync(heapFile(store), { force: true });
  return { store, points: points.sort((a, b) => a.requests - b.requests), failures, seconds, loadBefore, loadAfter };
}

async function cleanRedis() {
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = nextCursor;
  } while (cursor !== '0');
  await redis.quit();
}

const results = [];
try {
  for (const store of STORES) results.push(await curve(store));
} finally {
  if (STORES.includes('redis')) await cleanRedis();
}
const fmt = (n) => (Number.isFinite(n) ? n.toFixed(1) : '-').padStart(9);
console.log(`RSS and V8 heap used of idemaudit serve (MB) over ${REQUESTS} unique-key POSTs, --max-records ${MAX_RECORDS}, ${CONNECTIONS} connections`);
console.log(`requests  ${results.map((r) => `${r.store} rss`.padStart(9) + `${r.store} heap`.padStart(12)).join('  ')}`);
for (let i = 0; i < results[0].points.length; i++) {
  const row = results.map((r) => (r.points[i] ? fmt(r.points[i].rssMB) + fmt(r.points[i].heapMB).padStart(12) : '-'.padStart(21)));
  console.log(`${String(results[0].points[i].requests).padStart(8)}  ${row.join('  ')}`);
}
for (const r of results) {
  const peak = r.points.reduce((a, p) => (p.rssMB > a.rssMB ? p : a));
  const half = r.points.find((p) => p.requests >= REQUESTS / 2) ?? r.points.at(-1);
  const late = r.points.filter((p) => p.requests >= half.requests);
  const lateMax = Math.max(...late.map((p) => p.rssMB));
  const levels = lateMax <= half.rssMB * 1.15;
  console.log(
    `${r.store}: ${REQUESTS} requests in ${r.seconds.toFixed(0)} s (${(REQUESTS / r.seconds).toFixed(0)} req/s), ${r.failures} not answered 201; ` +
      `peak RSS ${peak.rssMB.toFixed(1)} MB at ${peak.requests}; RSS at half-way ${half.rssMB.toFixed(1)} MB, highest after it ${lateMax.toFixed(1)} MB: ` +
      `${levels ? 'levels off' : 'STILL GROWING'}; load average ${r.loadBefore} before, ${r.loadAfter} after`,
  );
}
