#!/usr/bin/env node
// `npm run soak`: a bounded nightly-style soak of `idemaudit serve` on both stores (not part of
// `npm test`). For each store it starts `serve --admin` on 127.0.0.1, then for --duration seconds
// (default 60) drives a mix of unique-key POSTs, duplicate POSTs (same key, same body), and a flood
// of keyed GETs with unique 220-character keys to random paths, and halfway through switches a
// 2 s store outage on. It samples the server's RSS (from /proc) and anonymous memory (heap, buffers; from /proc) and
// reports duplicate executions (the ledger), 5xx answers outside the outage, and the RSS curve.
//   node test/bench/soak.mjs [--duration 60] [--stores memory,redis] [--connections 16]
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
const DURATION_S = Math.min(3600, Math.max(5, Number(arg('duration', '60'))));
const STORES = arg('stores', 'memory,redis').split(',');
const CONNECTIONS = Math.min(64, Number(arg('connections', '16')));
const PREFIX = `idem-soak-${process.pid}:`;

function startServe(store) {
  return new Promise((resolve, reject) => {
    const args = [path.join(ROOT, 'bin/idemaudit.js'), 'serve', '--port', '0', '--admin', '--processing-ms', '0', '--log-level', 'silent', '--store', store];
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

const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;

// The server exports no V8 heap gauge; its anonymous resident memory (heap, buffers, native) is the
// part that grows with records, and is read from /proc like RSS.
const anonOf = (pid) => Number(/RssAnon:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;

/** Removes every key this soak wrote to Redis (its own prefix only). */
async function cleanRedis() {
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

async function soak(store) {
  const { url, child } = await startServe(store);
  const dispatcher = new Agent({ connections: CONNECTIONS, pipelining: 1 });
  const counts = { posts: 0, duplicates: 0, gets: 0, s5xx: 0, s5xxOutage: 0, errors: 0 };
  const samples = [];
  const end = Date.now() + DURATION_S * 1000;
  const outageAt = Date.now() + (DURATION_S * 1000) / 2;
  let outageUntil = 0;
  let n = 0;
  const recent = [];
  const body = '{"amount":100,"currency":"EUR"}';
  async function one() {
    const i = n++;
    const kind = i % 10 < 5 ? 'post' : i % 10 < 7 ? 'dup' : 'get';
    try {
      let r;
      if (kind === 'get') {
        const key = `g${i}-${'x'.repeat(210)}`.slice(0, 220);
        r = await request(`${url}/anything/${i}`, { dispatcher, headers: { 'idempotency-key': `"${key}"` } });
        counts.gets++;
      } else {
        const key = kind === 'dup' && recent.length ? recent[i % recent.length] : `p${i}-${process.pid}`;
        if (kind === 'post') {
          recent.push(key);
          if (recent.length > 1000) recent.shift();
        }
        r = await request(`${url}/payments`, {
          method: 'POST',
          dispatcher,
          body,
          headers: { 'content-type': 'application/json', authorization: 'Bearer soak', 'idempotency-key': `"${key}"` },
        });
        if (kind === 'dup') counts.duplicates++;
        else counts.posts++;
      }
      await r.body.dump();
      if (r.statusCode >= 500) {
        if (Date.now() < outageUntil + 200) counts.s5xxOutage++;
        else counts.s5xx++;
      }
    } catch {
      counts.errors++;
    }
  }
  const workers = Array.from({ length: CONNECTIONS }, async () => {
    while (Date.now() < end) await one();
  });
  const sampler = (async () => {
    const started = Date.now();
    while (Date.now() < end) {
      if (!outageUntil && Date.now() >= outageAt) {
        const r = await request(`${url}/_idemaudit/faults/store-outage?ms=2000`, { method: 'POST', dispatcher });
        await r.body.dump();
        outageUntil = Date.now() + 2000;
      }
      samples.push({ s: Math.round((Date.now() - started) / 1000), requests: n, rssMB: rssOf(child.pid) / 1048576, anonMB: anonOf(child.pid) / 1048576 });
      await new Promise((r) => setTimeout(r, Math.max(1000, (DURATION_S * 1000) / 12)));
    }
  })();
  await Promise.all([...workers, sampler]);
  samples.push({ s: DURATION_S, requests: n, rssMB: rssOf(child.pid) / 1048576, anonMB: anonOf(child.pid) / 1048576 });
  const ledger = await request(`${url}/_idemaudit/ledger`, { dispatcher });
  const summary = await ledger.body.json();
  await dispatcher.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('close', r));
  return { store, counts, duplicateExecutions: summary.duplicates.length, samples };
}

const results = [];
try {
  for (const store of STORES) results.push(await soak(store));
} finally {
  if (STORES.includes('redis')) await cleanRedis();
}
for (const r of results) {
  console.log(
    `\nstore ${r.store}: ${r.samples.at(-1).requests} requests in ${DURATION_S} s (${r.counts.posts} unique POSTs, ${r.counts.duplicates} duplicate POSTs, ${r.counts.gets} keyed GETs)`,
  );
  console.log(
    `  duplicate executions: ${r.duplicateExecutions}   5xx outside the outage: ${r.counts.s5xx}   5xx during the 2 s outage: ${r.counts.s5xxOutage}   client errors: ${r.counts.errors}`,
  );
  console.log('  t(s)  requests   RSS MB  anon MB');
  for (const s of r.samples)
    console.log(`  ${String(s.s).padStart(4)}  ${String(s.requests).padStart(8)}  ${s.rssMB.toFixed(1).padStart(7)}  ${s.anonMB.toFixed(1).padStart(7)}`);
}
const bad = results.some((r) => r.duplicateExecutions > 0 || r.counts.s5xx > 0);
process.exitCode = bad ? 1 : 0;
