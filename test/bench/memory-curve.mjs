#!/usr/bin/env node
// Memory of `idemaudit serve` over many unique-key requests, on both stores, side by side: the RSS
// curve must flatten once the bounded records (--max-records) are full. Not a timed test and not
// part of `npm test`:  npm run build && node test/bench/memory-curve.mjs [--requests 1000000]
//   [--connections 32] [--max-records 100000] [--stores memory,redis]
// Each request is a POST /payments with a fresh key; with the memory store the idempotency records
// themselves live for --ttl (default here 60s, so the store's own sweep is part of the curve).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
const SAMPLES = 20;
const PREFIX = `idem-bench-mem-${process.pid}:`;

const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

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
      '--ttl',
      '60s',
      '--max-records',
      MAX_RECORDS,
      '--store',
      store,
    ];
    if (store === 'redis') args.push('--redis-prefix', PREFIX);
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
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
  const points = [{ requests: 0, rssMB: rssOf(child.pid) }];
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
        if ((i + 1) % step === 0) points.push({ requests: i + 1, rssMB: rssOf(child.pid) });
      }
    }),
  );
  await dispatcher.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('close', r));
  return { store, points: points.sort((a, b) => a.requests - b.requests), failures };
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
console.log(`RSS of idemaudit serve (MB) over ${REQUESTS} unique-key POSTs, --max-records ${MAX_RECORDS}, ${CONNECTIONS} connections`);
console.log(`requests  ${results.map((r) => r.store.padStart(8)).join('  ')}`);
for (let i = 0; i < results[0].points.length; i++) {
  console.log(
    `${String(results[0].points[i].requests).padStart(8)}  ${results.map((r) => (r.points[i] ? r.points[i].rssMB.toFixed(1) : '-').padStart(8)).join('  ')}`,
  );
}
for (const r of results) if (r.failures) console.log(`${r.store}: ${r.failures} requests not answered 201`);
