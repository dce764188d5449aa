#!/usr/bin/env node
// CPU profile of one server variant under the bench load (built dist/, plain node):
//
//   node test/bench/profile.mjs <static|bare|memory|redis> [unique|replay] [--seconds 5] [--connections 50]
//
// Forks test/bench/server.mjs with --cpu-prof, drives it with autocannon (same requests as
// reference.mjs), closes it so the profile is written, then prints where the server's CPU went:
// self time by area (ioredis, HTTP, JSON, hashing, base64, zod, metrics, GC...), and inclusive time of
// the functions that matter for the idempotency layer, in % of busy time and in µs per request.
// With variant redis, a throwaway redis-server on a free port is used and its commandstats shown.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { startOwnRedis } from './own-redis.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..', '..');
const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    top: { type: 'string', default: '25' },
    /** Count the server's (and Redis') system calls per request with `perf stat` during the measured run (no CPU profile). */
    syscalls: { type: 'boolean', default: false },
    /** Also print the most frequent call paths into functions of this name. */
    callers: { type: 'string' },
  },
});
const variant = positionals[0] ?? 'redis';
const kind = positionals[1] ?? 'unique';
const SECONDS = Number(opts.seconds);
const CONNECTIONS = Number(opts.connections);
const TOP = Number(opts.top);
const PAYMENT = JSON.stringify({ amount: 1000, currency: 'EUR' });
const REPLAY_KEYS = 1000;

function cannon(url, nextKey, extra) {
  return autocannon({
    url: `${url}/payments`,
    method: 'POST',
    connections: CONNECTIONS,
    headers: { 'content-type': 'application/json' },
    body: PAYMENT,
    requests: [{ setupRequest: (req) => ((req.headers['idempotency-key'] = `"${nextKey()}"`), req) }],
    ...extra,
  });
}

// ---------------------------------------------------------------------------------------------
// System calls (perf stat on tracepoints; far lighter than strace, so batching is not disturbed)

const SYSCALLS = [
  'writev',
  'write',
  'read',
  'readv',
  'recvfrom',
  'sendto',
  'epoll_wait',
  'epoll_ctl',
  'getrandom',
  'openat',
  'futex',
  'mmap',
  'munmap',
  'madvise',
];

function countSyscalls(targets, seconds) {
  return Promise.all(
    targets.map(
      ([name, pid]) =>
        new Promise((resolve) => {
          const events = ['raw_syscalls:sys_enter', ...SYSCALLS.map((s) => `syscalls:sys_enter_${s}`)].join(',');
          const perf = spawn('perf', ['stat', '-x', ',', '-e', events, '-p', String(pid), '--', 'sleep', String(seconds)], {
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let text = '';
          perf.stderr.on('data', (d) => (text += d));
          perf.on('error', () => resolve([name, {}]));
          perf.on('close', () => {
            const counts = {};
            for (const line of text.split('\n')) {
              const [value, , event] = line.split(',');
              if (event && /^\d+$/.test(value)) counts[event.replace(/^(raw_)?syscalls:sys_enter_?/, '') || 'all'] = Number(value);
            }
            resolve([name, counts]);
          });
        }),
    ),
  );
}

function printSyscalls(results, requests) {
  for (const [name, counts] of results) {
    const all = counts.all ?? counts[''] ?? Object.entries(counts).find(([k]) => k.startsWith('sys_enter'))?.[1];
    const parts = Object.entries(counts)
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${(v / requests).toFixed(2)}`);
    console.log(`  ${name} syscalls per request: ${parts.join(', ')}${all === undefined ? ' (perf stat unavailable?)' : ''}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Profile analysis

const AREAS = [
  ['gc', (f) => f.functionName === '(garbage collector)'],
  ['idle', (f) => f.functionName === '(idle)'],
  ['vm (program)', (f) => f.functionName === '(program)'],
  ['ioredis', (f) => /node_modules\/(ioredis|redis-parser|redis-errors|denque|standard-as-callback|cluster-key-slot)\//.test(f.url)],
  ['zod (body validation)', (f) => f.url.includes('node_modules/zod/')],
  ['prom-client (metrics)', (f) => /node_modules\/(prom-client|tdigest|bintrees)\//.test(f.url)],
  ['pino (logs)', (f) => f.url.includes('node_modules/pino')],
  ['JSON', (f) => f.url === '' && /^(stringify|parse|JSONStringify|JSONParse)$/.test(f.functionName)],
  ['crypto (hash, random ids)', (f) => /crypto/.test(f.url) || /^(hash|randomUUID|randomBytes|digest|update|Hash)$/.test(f.functionName)],
  ['Buffer / base64', (f) => f.url.includes('node:buffer') || /base64|latin1|utf8Slice|utf8Write|byteLength/i.test(f.functionName)],
  ['layer (dist/reference/layer)', (f) => f.url.includes('/dist/reference/layer/')],
  ['store (dist/reference/store)', (f) => f.url.includes('/dist/reference/store/')],
  ['adapter (dist/reference/adapters)', (f) => f.url.includes('/dist/reference/adapters/')],
  ['demo app (dist/reference/app)', (f) => f.url.includes('/dist/demo/app/')],
  ['observability glue', (f) => f.url.includes('/dist/reference/observability/')],
  ['node http', (f) => /node:_http|internal\/http|node:http/.test(f.url)],
  [
    'node net / streams / events',
    (f) => /node:net|node:internal\/streams|node:events|node:stream|stream_base|node:internal\/(timers|process)|node:timers/.test(f.url),
  ],
  ['other node internals', (f) => f.url.startsWith('node:')],
  ['other', () => true],
];

/** Functions whose inclusive time tells where a request goes. */
const INCLUSIVE = [
  ['layer.handle (all of the layer + handler)', (f) => f.functionName === 'handle' && f.url.includes('/layer/layer.js')],
  ['demo handler (runMutation)', (f) => f.functionName === 'runMutation'],
  ['store.begin (Node side, one EVALSHA)', (f) => f.functionName === 'begin' && f.url.includes('/store/')],
  ['store.complete (Node side, one EVALSHA)', (f) => f.functionName === 'complete' && f.url.includes('/store/')],
  [
    'ioredis sendCommand / auto-pipeline',
    (f) => /^(sendCommand|executeWithAutoPipelining|executeAutoPipeline|exec|execute)$/.test(f.functionName) && /ioredis/.test(f.url),
  ],
  ['ioredis reply parsing', (f) => /redis-parser/.test(f.url) || (f.functionName === 'returnReply' && /ioredis/.test(f.url))],
  ['fingerprintRequest (SHA-256 of method, path, body)', (f) => f.functionName === 'fingerprintRequest'],
  ['tenant (SHA-256 of Authorization)', (f) => f.functionName === 'tenantFromAuthorization'],
  ['hashPrefix (key hash for logs and metrics)', (f) => f.functionName === 'hashPrefix'],
  ['sha256Hex (every SHA-256)', (f) => f.functionName === 'sha256Hex'],
  ['toStoredResponse (headers filter + base64 encode)', (f) => f.functionName === 'toStoredResponse'],
  ['fromStoredResponse (base64 decode)', (f) => f.functionName === 'fromStoredResponse'],
  ['parseReply / parseHeaders (JSON.parse of stored headers)', (f) => /^(parseReply|parseHeaders)$/.test(f.functionName)],
  ['JSON.stringify (all)', (f) => f.url === '' && /stringify/i.test(f.functionName)],
  ['JSON.parse (all)', (f) => f.url === '' && /^(parse|JSONParse)$/.test(f.functionName)],
  ['parseIdempotencyKey', (f) => f.functionName === 'parseIdempotencyKey'],
  ['captureResponse + writeEnvelope', (f) => /^(captureResponse|writeEnvelope)$/.test(f.functionName)],
  ['metrics onEvent (prom-client)', (f) => f.functionName === 'onEvent' && f.url.includes('observability')],
  ['readBody', (f) => f.functionName === 'readBody'],
  ['zod safeParse', (f) => /safeParse/.test(f.functionName)],
  ['randomUUID (claim tokens, request ids)', (f) => f.functionName === 'randomUUID'],
];

function analyse(profile, requests) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const dt = deltas[i + 1] ?? 0; // a sample's duration is the delta to the next one
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  const area = new Map();
  const selfFn = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id).callFrame;
    const name = AREAS.find(([, test]) => test(frame))[0];
    area.set(name, (area.get(name) ?? 0) + us);
    total += us;
    if (name === 'idle') idle += us;
    const fn = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1}`;
    selfFn.set(fn, (selfFn.get(fn) ?? 0) + us);
  }
  // Inclusive: each sample counts once per matching function on its stack.
  const inclusive = new Map(INCLUSIVE.map(([label]) => [label, 0]));
  for (const [id, us] of selfUs) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at).callFrame;
      for (const [label, test] of INCLUSIVE) if (!seen.has(label) && test(frame)) seen.add(label);
    }
    for (const label of seen) inclusive.set(label, inclusive.get(label) + us);
  }
  const busy = total - idle;
  const line = (label, us) => `  ${label.padEnd(58)} ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${(us / requests).toFixed(1).padStart(7)} µs/req`;
  console.log(
    `\nbusy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s profiled; ${requests} requests (measured run + warm-up); ${(busy / requests).toFixed(1)} µs busy per request\n`,
  );
  console.log('Self time by area:');
  for (const [name, us] of [...area].filter(([n]) => n !== 'idle').sort((a, b) => b[1] - a[1])) console.log(line(name, us));
  console.log('\nInclusive time of selected functions:');
  for (const [label, us] of inclusive) if (us > 0) console.log(line(label, us));
  if (opts.callers) {
    const paths = new Map();
    for (const [id, us] of selfUs) {
      const chain = [];
      for (let at = id; at !== undefined; at = parent.get(at)) chain.push(byId.get(at).callFrame);
      const hit = chain.findIndex((frame) => frame.functionName === opts.callers);
      if (hit < 0) continue;
      const path = chain
        .slice(hit, hit + 8)
        .map((frame) => `${frame.functionName || '(anonymous)'}@${frame.url.split('/').pop()}:${frame.lineNumber + 1}`)
        .join(' <- ');
      paths.set(path, (paths.get(path) ?? 0) + us);
    }
    console.log(`\nCall paths into ${opts.callers}:`);
    for (const [path, us] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${(us / requests).toFixed(2)} µs/req  ${path}`);
  }
  console.log(`\nTop ${TOP} functions by self time:`);
  for (const [fn, us] of [...selfFn]
    .filter(([fn]) => !fn.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP))
    console.log(line(fn.slice(0, 58), us));
}

// ---------------------------------------------------------------------------------------------

const dir = mkdtempSync(join(os.tmpdir(), 'idemaudit-cpuprof-'));
const redis = variant === 'redis' ? await startOwnRedis() : undefined;
const tag = randomBytes(4).toString('hex');
try {
  const child = fork(join(HERE, 'server.mjs'), [variant], {
    cwd: ROOT,
    env: { ...process.env, BENCH_REDIS_URL: redis?.url ?? '', BENCH_PREFIX: `idemaudit-prof:${tag}:` },
    execArgv: opts.syscalls ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { url } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  let n = 0;
  const nextKey = kind === 'replay' ? () => `${tag}-r${n++ % REPLAY_KEYS}` : () => `${tag}-u${n++}`;
  let requests = 0;
  if (kind === 'replay') {
    const primed = await cannon(url, nextKey, { amount: REPLAY_KEYS });
    requests += primed['2xx'] + primed.non2xx;
  }
  const warm = await cannon(url, nextKey, { duration: 1 });
  requests += warm['2xx'] + warm.non2xx;
  await redis?.client.config('RESETSTAT');
  const counting = opts.syscalls ? countSyscalls([['server', child.pid], ...(redis ? [['redis', redis.pid]] : [])], SECONDS) : undefined;
  const run = await cannon(url, nextKey, { duration: SECONDS });
  requests += run['2xx'] + run.non2xx;
  if (counting) printSyscalls(await counting, run['2xx'] + run.non2xx);
  console.log(`${variant}/${kind}: ${run.requests.average.toFixed(0)} req/s, p50 ${run.latency.p50} ms, p99 ${run.latency.p99} ms, non-2xx ${run.non2xx}`);
  if (redis) {
    const info = await redis.client.info('commandstats');
    const measured = run['2xx'] + run.non2xx;
    for (const m of info.matchAll(/^cmdstat_(\w+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/gm)) {
      if (m[1] !== 'config' && m[1] !== 'info')
        console.log(`  redis ${m[1]}: ${(Number(m[2]) / measured).toFixed(2)} calls/req, ${m[4]} µs/call, ${(Number(m[3]) / measured).toFixed(1)} µs/req`);
    }
  }
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ type: 'close' });
  await exited;
  if (!opts.syscalls) {
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no .cpuprofile written');
    analyse(JSON.parse(readFileSync(join(dir, file), 'utf8')), requests);
  }
} finally {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
}
