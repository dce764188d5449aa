#!/usr/bin/env node
// Benchmark of the reference server (built dist/, plain node; not part of `npm test`).
//
//   node test/bench/reference.mjs [--duration 5] [--rounds 5] [--rate-rounds 4] [--connections 50] [--rate 2000]
//                                 [--variants static,bare,memory,redis] [--redis-url URL] [--no-write]
//                                 [--skip-rate] [--skip-throughput] [--server-node-args="--trace-gc"]
//
// About 8 to 12 minutes with the defaults (longer while other processes keep the machine busy: before each
// measured run it waits up to --quiet-wait seconds for them to calm down).
//
// 1. Throughput at 50 connections, autocannon (closed model), unique keys and replays, for each server
//    variant (see server.mjs), each run in a fresh server process after a 1 s warm-up, variants
//    alternating in a rotated order every round; the table shows the median of the quiet rounds
//    (runs during which other processes used at most --quiet-limit cores), or of all when none was quiet.
// 2. Latency at a steady 2,000 req/s with unique keys, twice:
//    - open model (undici Pool): requests leave on a fixed schedule and latency is measured from the
//      intended send time with sub-millisecond resolution (no coordinated omission);
//    - autocannon `overallRate`, as asked for, with its responseTime also recorded unfloored. Note that
//      autocannon's rate limit is per connection and per second: each connection sends its quota back
//      to back at the start of every second and then idles, so this is bursty, not steady.
// 3. Where the Redis store spends its time: EVALSHA calls and usec per call (INFO commandstats), Redis
//    CPU per request, mean store round trip per operation (the server's own /metrics), server CPU per
//    request.
//
// Redis: our own throwaway redis-server on a free port (no other traffic, stats are ours alone),
// unless --redis-url is given (then a unique prefix, deleted afterwards). Results are printed and
// written into test/bench/RESULTS.md between the bench:reference markers.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { startOwnRedis } from './own-redis.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..', '..');
const SERVER = join(HERE, 'server.mjs');
const RESULTS = join(HERE, 'RESULTS.md');
const START = '<!-- bench:reference:start -->';
const END = '<!-- bench:reference:end -->';
const PAYMENT = JSON.stringify({ amount: 1000, currency: 'EUR' });
const REPLAY_KEYS = 1000;
const GOALS = { memory: 0.95, redis: 0.8, p99OverheadMs: 1 };

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '5' },
    'rate-rounds': { type: 'string', default: '4' },
    connections: { type: 'string', default: '50' },
    rate: { type: 'string', default: '2000' },
    variants: { type: 'string', default: 'static,bare,memory,redis' },
    'redis-url': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
    'skip-rate': { type: 'boolean', default: false },
    'skip-throughput': { type: 'boolean', default: false },
    /** Before each measured run, wait (up to --quiet-wait s) until other processes use less than this many cores. */
    'max-foreign': { type: 'string', default: '0.25' },
    'quiet-wait': { type: 'string', default: '30' },
    /** Medians use only the runs during which other processes used at most this many cores, when a cell has any. */
    'quiet-limit': { type: 'string', default: '0.3' },
    /** Extra node flags for the server processes, as --server-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof" or ="--trace-gc". */
    'server-node-args': { type: 'string', default: '' },
  },
});
if (args.help) {
  // The header comment of this file is the usage text.
  const header = readFileSync(fileURLToPath(import.meta.url), 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.startsWith('//'));
  console.log(header.map((line) => line.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const ROUNDS = Number(args.rounds);
const RATE_ROUNDS = Number(args['rate-rounds']);
const CONNECTIONS = Number(args.connections);
const RATE = Number(args.rate);
const MAX_FOREIGN = Number(args['max-foreign']);
const QUIET_WAIT_MS = Number(args['quiet-wait']) * 1000;
const QUIET_LIMIT = Number(args['quiet-limit']);
/** The runs a median is taken over: the quiet ones if there are any, else all of them. */
const usable = (runs) => {
  const quiet = runs.filter((r) => r.foreignCores <= QUIET_LIMIT);
  return quiet.length ? quiet : runs;
};
const usedNote = (runs) =>
  `${usable(runs).length === runs.length && !runs.some((r) => r.foreignCores <= QUIET_LIMIT) ? '0 quiet, all ' : `${usable(runs).length} quiet of `}${runs.length}`;
const VARIANTS = args.variants
  .split(',')
  .map((v) => v.trim())
  .filter(Boolean);
const RATE_VARIANTS = VARIANTS;
const tag = randomBytes(4).toString('hex');

if (!existsSync(join(ROOT, 'dist', 'reference', 'index.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Redis

async function useSharedRedis(url) {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  await client.ping();
  return { url, client, own: false, stop: async () => client.quit() };
}

async function deleteByPrefix(client, prefix) {
  let cursor = '0';
  for (let round = 0; round < 100_000; round++) {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
    if (keys.length) await client.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
}

function parseInfo(text) {
  const out = {};
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1);
  }
  return out;
}

async function redisCpuSeconds(redis) {
  const info = parseInfo(await redis.client.info('cpu'));
  return Number(info.used_cpu_user) + Number(info.used_cpu_sys);
}

async function redisCommandStats(redis) {
  const info = parseInfo(await redis.client.info('commandstats'));
  const stats = {};
  for (const [name, value] of Object.entries(info)) {
    if (!name.startsWith('cmdstat_')) continue;
    const fields = Object.fromEntries(value.split(',').map((kv) => kv.split('=')));
    stats[name.slice(8)] = { calls: Number(fields.calls), usec: Number(fields.usec) };
  }
  return stats;
}

// ---------------------------------------------------------------------------------------------
// Other processes on the machine (Linux /proc/stat): the bench shares 2 cores with whatever else runs,
// so every run records how many cores others used meanwhile, and waits for a quiet moment first.

const HAS_PROC_STAT = existsSync('/proc/stat');
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function machineBusySeconds() {
  if (!HAS_PROC_STAT) return Number.NaN;
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return (total - fields[3] - (fields[4] ?? 0)) / TICKS_PER_SECOND;
}

/** Cores used by everything on the machine during `ms` of our own idleness. */
async function idleForeignCores(ms) {
  const before = machineBusySeconds();
  const mine = process.cpuUsage();
  await sleep(ms);
  const own = process.cpuUsage(mine);
  return (machineBusySeconds() - before - (own.user + own.system) / 1e6) / (ms / 1000);
}

async function waitQuiet() {
  if (!HAS_PROC_STAT) return Number.NaN;
  const deadline = performance.now() + QUIET_WAIT_MS;
  let foreign = await idleForeignCores(500);
  while (foreign > MAX_FOREIGN && performance.now() < deadline) foreign = await idleForeignCores(500);
  return foreign;
}

// ---------------------------------------------------------------------------------------------
// Servers under test

function startVariant(variant, prefix, redis) {
  return new Promise((resolve, reject) => {
    const child = fork(SERVER, [variant], {
      cwd: ROOT,
      env: { ...process.env, BENCH_REDIS_URL: redis?.url ?? '', BENCH_PREFIX: prefix },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: args['server-node-args'].split(' ').filter(Boolean),
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${variant} server did not start`));
    }, 15_000);
    child.once('exit', (code) => reject(new Error(`${variant} server exited with ${code}`)));
    child.once('message', (message) => {
      clearTimeout(timer);
      if (message?.type !== 'ready') return reject(new Error(`unexpected message ${JSON.stringify(message)}`));
      resolve({ child, url: message.url, variant });
    });
  });
}

function ask(server, type) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${type}`)), 5_000);
    server.child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message);
    });
    server.child.send({ type });
  });
}

async function stopVariant(server) {
  server.child.removeAllListeners('exit');
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.send({ type: 'close' });
  await Promise.race([exited, sleep(5_000).then(() => server.child.kill('SIGKILL'))]);
}

async function storeSecondsByOp(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = {};
  for (const m of text.matchAll(/^idempotency_store_operation_duration_seconds_(sum|count)\{op="(\w+)"\} ([\d.e+-]+)$/gm)) {
    out[m[2]] ??= {};
    out[m[2]][m[1]] = Number(m[3]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Load

/** autocannon options that send POST /payments with a key from `nextKey()` on every request. */
function cannonOptions(url, nextKey, extra) {
  return {
    url: `${url}/payments`,
    method: 'POST',
    connections: CONNECTIONS,
    headers: { 'content-type': 'application/json' },
    body: PAYMENT,
    requests: [
      {
        setupRequest: (req) => {
          req.headers['idempotency-key'] = `"${nextKey()}"`;
          return req;
        },
      },
    ],
    ...extra,
  };
}

function runCannon(options, onResponse) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    if (onResponse) instance.on('response', (_client, statusCode, _bytes, responseTime) => onResponse(statusCode, responseTime));
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summarise(latencies) {
  const sorted = Float64Array.from(latencies).sort();
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), p999: percentile(sorted, 99.9), max: sorted.at(-1) };
}

/** Open model: `rate` req/s on a fixed schedule for `seconds`; latency from the intended send time (ms, fractional). */
async function openModel(url, rate, seconds, nextKey) {
  const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
  const latencies = [];
  let statusOther = 0;
  let errors = 0;
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const inflight = new Set();
  const start = performance.now() + 5;
  let sent = 0;
  const headersBase = { 'content-type': 'application/json' };
  while (sent < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor((now - start) / interval) + 1);
    for (; sent < due; sent++) {
      const intended = start + sent * interval;
      const p = pool
        .request({ path: '/payments', method: 'POST', headers: { ...headersBase, 'idempotency-key': `"${nextKey()}"` }, body: PAYMENT })
        .then(async (res) => {
          await res.body.dump();
          if (res.statusCode !== 201) statusOther++;
          latencies.push(performance.now() - intended);
        })
        .catch(() => errors++)
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await sleep(1);
  }
  await Promise.race([Promise.all(inflight), sleep(10_000)]);
  await pool.destroy();
  return { ...summarise(latencies), statusOther, errors, sent };
}

// ---------------------------------------------------------------------------------------------
// Measurements

const median = (xs) => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = (s.length - 1) / 2;
  return (s[Math.floor(mid)] + s[Math.ceil(mid)]) / 2;
};
const rotate = (xs, n) => xs.map((_, i) => xs[(i + n) % xs.length]);
let measurement = 0;

async function throughputRun(variant, kind, redis) {
  const id = `${tag}-${++measurement}`;
  const prefix = `idemaudit-bench:${id}:`;
  const server = await startVariant(variant, prefix, redis);
  try {
    let counter = 0;
    const unique = () => `${id}-u${counter++}`;
    let replayIndex = 0;
    const replay = () => `${id}-r${replayIndex++ % REPLAY_KEYS}`;
    const nextKey = kind === 'unique' ? unique : replay;
    let sentBefore = 0;
    if (kind === 'replay') {
      // Complete every replay key once (in order, so each is new exactly once).
      const primed = await runCannon(cannonOptions(server.url, replay, { amount: REPLAY_KEYS }));
      sentBefore += primed['2xx'] + primed.non2xx;
    }
    const warm = await runCannon(cannonOptions(server.url, nextKey, { duration: WARMUP }));
    sentBefore += warm['2xx'] + warm.non2xx;
    const quietBefore = await waitQuiet();
    await ask(server, 'mark');
    const redisBefore = redis && variant === 'redis' ? { cpu: await redisCpuSeconds(redis), stats: await redisCommandStats(redis) } : undefined;
    const storeBefore = variant === 'memory' || variant === 'redis' ? await storeSecondsByOp(server.url) : undefined;
    const redisCpu0 = redis ? await redisCpuSeconds(redis) : 0;
    const busy0 = machineBusySeconds();
    const own0 = process.cpuUsage();
    const wall0 = performance.now();
    const result = await runCannon(cannonOptions(server.url, nextKey, { duration: DURATION }));
    const wall = (performance.now() - wall0) / 1000;
    const own = process.cpuUsage(own0);
    const busy = machineBusySeconds() - busy0;
    const stats = await ask(server, 'stats');
    const redisCpu = redis ? (await redisCpuSeconds(redis)) - redisCpu0 : 0;
    const requests = result['2xx'] + result.non2xx;
    const run = {
      variant,
      kind,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      mean: result.latency.average,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      requests,
      cpuUsPerReq: stats.cpuUs / Math.max(1, requests),
      loadGenCores: (own.user + own.system) / 1e6 / wall,
      serverCores: stats.cpuUs / 1e6 / wall,
      // Clamped at 0: /proc/stat counts in 10 ms ticks, so an idle machine can come out slightly negative.
      foreignCores: Math.max(0, (busy - (own.user + own.system) / 1e6 - stats.cpuUs / 1e6 - redisCpu) / wall),
      quietBefore,
      executions: stats.executions,
      // Requests still in flight when autocannon stops are served but not counted: up to one per connection per run.
      expectedExecutions:
        kind === 'unique' || variant === 'bare'
          ? [sentBefore + requests, sentBefore + requests + CONNECTIONS * (kind === 'replay' ? 3 : 2)]
          : [REPLAY_KEYS, REPLAY_KEYS],
    };
    if (storeBefore) {
      const after = await storeSecondsByOp(server.url);
      run.storeUs = {};
      for (const op of Object.keys(after)) {
        const count = after[op].count - (storeBefore[op]?.count ?? 0);
        if (count > 0) run.storeUs[op] = ((after[op].sum - (storeBefore[op]?.sum ?? 0)) / count) * 1e6;
      }
    }
    if (redisBefore) {
      const cpu = await redisCpuSeconds(redis);
      const cmd = await redisCommandStats(redis);
      run.redisCpuUsPerReq = ((cpu - redisBefore.cpu) * 1e6) / Math.max(1, requests);
      run.redisCommands = {};
      for (const [name, s] of Object.entries(cmd)) {
        const calls = s.calls - (redisBefore.stats[name]?.calls ?? 0);
        if (calls > 0 && name !== 'info')
          run.redisCommands[name] = { callsPerReq: calls / requests, usecPerCall: (s.usec - (redisBefore.stats[name]?.usec ?? 0)) / calls };
      }
    }
    const [low, high] = run.expectedExecutions;
    if (variant !== 'static' && run.executions !== undefined && (run.executions < low || run.executions > high)) {
      run.warning = `executions ${run.executions} outside the expected ${low}..${high}`;
    }
    return run;
  } finally {
    await stopVariant(server);
    if (redis && !redis.own) await deleteByPrefix(redis.client, prefix);
  }
}

async function rateRun(variant, redis) {
  const id = `${tag}-${++measurement}`;
  const prefix = `idemaudit-bench:${id}:`;
  const server = await startVariant(variant, prefix, redis);
  try {
    let counter = 0;
    const nextKey = () => `${id}-s${counter++}`;
    await openModel(server.url, RATE, WARMUP, nextKey);
    await waitQuiet();
    const busy0 = machineBusySeconds();
    const own0 = process.cpuUsage();
    await ask(server, 'mark');
    const wall0 = performance.now();
    const open = await openModel(server.url, RATE, DURATION, nextKey);
    const wall = (performance.now() - wall0) / 1000;
    const own = process.cpuUsage(own0);
    const serverStats = await ask(server, 'stats');
    const foreignCores = Math.max(0, (machineBusySeconds() - busy0 - (own.user + own.system) / 1e6 - serverStats.cpuUs / 1e6) / wall);
    const precise = [];
    const cannon = await runCannon(cannonOptions(server.url, nextKey, { duration: DURATION, overallRate: RATE }), (status, ms) => {
      if (status >= 200 && status < 300) precise.push(ms);
    });
    return {
      variant,
      foreignCores,
      open,
      cannon: { rps: cannon.requests.average, p50: cannon.latency.p50, p99: cannon.latency.p99, precise: summarise(precise), non2xx: cannon.non2xx },
    };
  } finally {
    await stopVariant(server);
    if (redis && !redis.own) await deleteByPrefix(redis.client, prefix);
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const pct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '-');

function table(headers, rows) {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function machine(redisVersion, loadBefore, loadAfter) {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores; ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; ${os.type()} ${os.release()}`,
    `- Node ${process.version}; autocannon ${JSON.parse(readFileSync(join(ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8')).version}; Redis ${redisVersion}`,
    `- load average (1/5/15 min) before: ${loadBefore.map((x) => x.toFixed(2)).join(' / ')}, after: ${loadAfter.map((x) => x.toFixed(2)).join(' / ')}`,
  ].join('\n');
}

function render({ throughput, rate, info, startedAt, seconds }) {
  const out = [];
  out.push(`## Reference server benchmark (${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC)`);
  out.push('');
  out.push(info);
  out.push(
    `- ${CONNECTIONS} connections, ${DURATION} s per run after a ${WARMUP} s warm-up, fresh server process per run, ` +
      `${ROUNDS} rounds with the variants in rotated order (median shown); --processing-ms 0; load generator, server and ` +
      `Redis share the ${os.cpus().length} cores; whole bench took ${f0(seconds)} s`,
  );
  out.push('');
  const cell = {};
  for (const r of throughput) ((cell[r.variant] ??= {})[r.kind] ??= []).push(r);
  const agg = (variant, kind, field) => median(usable(cell[variant]?.[kind] ?? []).map((r) => r[field]));
  const base = (kind) => agg('bare', kind, 'rps');
  if (throughput.length) {
    out.push(`### Throughput at ${CONNECTIONS} connections (autocannon, req/s; latency in whole ms as autocannon floors it)`);
    out.push('');
    const cpuBase = (kind) => agg('bare', kind, 'cpuUsPerReq');
    const rows = VARIANTS.map((v) => [
      v,
      f0(agg(v, 'unique', 'rps')),
      pct(agg(v, 'unique', 'rps') / base('unique')),
      `${f0(agg(v, 'unique', 'p50'))} / ${f0(agg(v, 'unique', 'p99'))}`,
      `${f0(agg(v, 'unique', 'cpuUsPerReq'))} (${pct(cpuBase('unique') / agg(v, 'unique', 'cpuUsPerReq'))})`,
      f0(agg(v, 'replay', 'rps')),
      pct(agg(v, 'replay', 'rps') / base('replay')),
      `${f0(agg(v, 'replay', 'p50'))} / ${f0(agg(v, 'replay', 'p99'))}`,
      `${f0(agg(v, 'replay', 'cpuUsPerReq'))} (${pct(cpuBase('replay') / agg(v, 'replay', 'cpuUsPerReq'))})`,
      `${usedNote(cell[v]?.unique ?? [])} / ${usedNote(cell[v]?.replay ?? [])}`,
    ]);
    out.push(
      table(
        [
          'server',
          'unique keys req/s',
          'vs bare',
          'p50 / p99 ms',
          'server CPU µs/req (bare µs / this)',
          'replays req/s',
          'vs bare',
          'p50 / p99 ms',
          'server CPU µs/req (bare µs / this)',
          'runs used (unique / replay)',
        ],
        rows,
      ),
    );
    out.push('');
    out.push(
      '"bare µs / this" is the throughput ratio the server process would reach if it alone were the bottleneck ' +
        '(its CPU time per request is far less disturbed by other processes than req/s is). The box is shared: each run ' +
        `records the CPU used meanwhile by every process outside this bench, and medians use only the runs where that stayed at or below ${QUIET_LIMIT} cores ("quiet"), when there are any.`,
    );
    out.push('');
    out.push('Every run, in the order run (req/s):');
    out.push('');
    for (let round = 0; round < ROUNDS; round++) {
      const runs = throughput.filter((r) => r.round === round);
      out.push(
        `- round ${round + 1}: ${runs.map((r) => `${r.variant}/${r.kind} ${f0(r.rps)} (others ${f2(r.foreignCores)})${r.non2xx || r.errors ? ` (non-2xx ${r.non2xx}, errors ${r.errors})` : ''}${r.warning ? ` [${r.warning}]` : ''}`).join(', ')}`,
      );
    }
    out.push('');
    const redisRuns = throughput.filter((r) => r.variant === 'redis' && r.redisCommands);
    // (quiet runs only, when there are any)
    if (redisRuns.length) {
      out.push('### Where the Redis store spends its time (median of the Redis runs)');
      out.push('');
      const rows2 = ['unique', 'replay'].map((kind) => {
        const runs = usable(redisRuns.filter((r) => r.kind === kind));
        const names = [...new Set(runs.flatMap((r) => Object.keys(r.redisCommands)))].sort();
        const cmds = names
          .map(
            (n) =>
              `${n} ${f2(median(runs.map((r) => r.redisCommands[n]?.callsPerReq)))}/req @ ${f2(median(runs.map((r) => r.redisCommands[n]?.usecPerCall)))} µs`,
          )
          .join('; ');
        const store = ['begin', 'complete'].map((op) => `${op} ${f0(median(runs.map((r) => r.storeUs?.[op])))} µs`).join(', ');
        return [kind, cmds, f0(median(runs.map((r) => r.redisCpuUsPerReq))), store, f0(median(runs.map((r) => r.cpuUsPerReq)))];
      });
      out.push(
        table(
          [
            'load',
            'Redis commands (calls per request @ Redis-side µs per call)',
            'Redis CPU µs/req',
            'store round trip seen by the server (mean)',
            'server CPU µs/req',
          ],
          rows2,
        ),
      );
      const memRuns = usable(throughput.filter((r) => r.variant === 'memory' && r.storeUs && r.kind === 'unique'));
      if (memRuns.length) {
        out.push('');
        out.push(
          `Memory store, for comparison: begin ${f0(median(memRuns.filter((r) => r.kind === 'unique').map((r) => r.storeUs.begin)))} µs, ` +
            `complete ${f0(median(memRuns.filter((r) => r.kind === 'unique').map((r) => r.storeUs.complete)))} µs (mean, unique keys).`,
        );
      }
      out.push('');
    }
  }
  if (rate.length) {
    out.push(`### Latency at a steady ${RATE} req/s, unique keys (ms, unfloored; median of the quiet runs of ${RATE_ROUNDS} rounds)`);
    out.push('');
    const rcell = {};
    for (const r of rate) (rcell[r.variant] ??= []).push(r);
    const rm = (v, pick) => median(usable(rcell[v] ?? []).map(pick));
    const bareP99 = rm('bare', (r) => r.open.p99);
    const bareBurstP99 = rm('bare', (r) => r.cannon.precise.p99);
    const rows = RATE_VARIANTS.map((v) => [
      v,
      f2(rm(v, (r) => r.open.p50)),
      f2(rm(v, (r) => r.open.p99)),
      f2(rm(v, (r) => r.open.p999)),
      v === 'bare' ? '-' : f2(rm(v, (r) => r.open.p99) - bareP99),
      `${f0(rm(v, (r) => r.cannon.rps))}`,
      `${f0(rm(v, (r) => r.cannon.p99))}`,
      f2(rm(v, (r) => r.cannon.precise.p99)),
      v === 'bare' ? '-' : f2(rm(v, (r) => r.cannon.precise.p99) - bareBurstP99),
      usedNote(rcell[v] ?? []),
    ]);
    out.push(
      table(
        [
          'server',
          'open model p50',
          'p99',
          'p99.9',
          'p99 overhead vs bare',
          'autocannon overallRate req/s',
          'its p99 (floored)',
          'its p99 unfloored',
          'overhead vs bare',
          'runs used',
        ],
        rows,
      ),
    );
    out.push('');
    out.push(`Every run: ${rate.map((r) => `${r.variant} p99 ${f2(r.open.p99)} (others ${f2(r.foreignCores)})`).join(', ')}`);
    out.push('');
    out.push(
      'static is the noise floor (load generator + node:http + this machine). Open model: an undici Pool of ' +
        `${CONNECTIONS} connections sends on a fixed schedule; latency counts from the intended send time. autocannon's ` +
        "`overallRate` releases each connection's per-second quota back to back (bursts of " +
        `${CONNECTIONS} concurrent requests, then idle), so its p99 is latency under bursts rather than at a steady rate.`,
    );
    out.push('');
  }
  // Goals
  if (throughput.length || rate.length) {
    out.push('### Goals');
    out.push('');
    const lines = [];
    const anyQuiet = (runs) => runs.some((r) => r.foreignCores <= QUIET_LIMIT);
    for (const kind of ['unique', 'replay']) {
      if (!throughput.length) break;
      const what = kind === 'unique' ? 'unique keys' : 'replays';
      for (const [v, goal] of [
        ['memory', GOALS.memory],
        ['redis', GOALS.redis],
      ]) {
        if (!VARIANTS.includes(v) || !VARIANTS.includes('bare')) continue;
        const ratio = agg(v, kind, 'rps') / base(kind);
        const cpuRatio = agg('bare', kind, 'cpuUsPerReq') / agg(v, kind, 'cpuUsPerReq');
        const reliable = anyQuiet(cell[v]?.[kind] ?? []) && anyQuiet(cell.bare?.[kind] ?? []) ? '' : ' (no quiet run: unreliable)';
        lines.push(
          `- ${v} store >= ${pct(goal)} of bare (${what}): ${pct(ratio)} measured, ${pct(cpuRatio)} by server CPU per request: ` +
            `${ratio >= goal ? 'met' : 'NOT met'}${reliable}`,
        );
      }
    }
    if (rate.length) {
      const rcell = {};
      for (const r of rate) (rcell[r.variant] ??= []).push(r);
      const p99 = (v) => median(usable(rcell[v] ?? []).map((r) => r.open.p99));
      for (const v of ['memory', 'redis']) {
        if (!VARIANTS.includes(v) || !VARIANTS.includes('bare')) continue;
        const over = p99(v) - p99('bare');
        const reliable = anyQuiet(rcell[v] ?? []) && anyQuiet(rcell.bare ?? []) ? '' : ' (no quiet run: unreliable)';
        lines.push(
          `- p99 overhead <= ${GOALS.p99OverheadMs} ms at ${RATE} req/s, ${v} store (open model): ${f2(over)} ms: ${over <= GOALS.p99OverheadMs ? 'met' : 'NOT met'}${reliable}`,
        );
      }
    }
    out.push(lines.join('\n'));
    out.push('');
  }
  return out.join('\n');
}

function writeSection(section) {
  const block = `${START}\n${section}\n${END}`;
  let text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmarks\n\n';
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  text = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + END.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS, text);
}

// ---------------------------------------------------------------------------------------------

const startedAt = new Date();
const t0 = performance.now();
const loadBefore = os.loadavg();
let redis;
try {
  redis = VARIANTS.includes('redis') ? (args['redis-url'] ? await useSharedRedis(args['redis-url']) : { ...(await startOwnRedis()), own: true }) : undefined;
  const redisVersion = redis ? parseInfo(await redis.client.info('server')).redis_version : 'n/a';
  const throughput = [];
  if (!args['skip-throughput']) {
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of ['unique', 'replay']) {
        for (const variant of rotate(VARIANTS, round)) {
          const run = await throughputRun(variant, kind, redis);
          run.round = round;
          throughput.push(run);
          console.log(
            `round ${round + 1} ${kind.padEnd(6)} ${variant.padEnd(6)} ${f0(run.rps).padStart(6)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  ` +
              `server ${f0(run.cpuUsPerReq)} µs/req${run.redisCpuUsPerReq !== undefined ? `  redis ${f0(run.redisCpuUsPerReq)} µs/req` : ''}` +
              `  cores: loadgen ${f2(run.loadGenCores)} server ${f2(run.serverCores)} others ${f2(run.foreignCores)}` +
              `${run.non2xx || run.errors ? `  non-2xx ${run.non2xx} errors ${run.errors}` : ''}${run.warning ? `  [${run.warning}]` : ''}`,
          );
        }
      }
    }
  }
  const rate = [];
  if (!args['skip-rate']) {
    for (let round = 0; round < RATE_ROUNDS; round++) {
      for (const variant of rotate(RATE_VARIANTS, round)) {
        const run = await rateRun(variant, redis);
        rate.push(run);
        console.log(
          `rate ${RATE}/s ${variant.padEnd(6)} open p50 ${f2(run.open.p50)} p99 ${f2(run.open.p99)} p99.9 ${f2(run.open.p999)} ms` +
            `${run.open.statusOther || run.open.errors ? ` (non-201 ${run.open.statusOther}, errors ${run.open.errors})` : ''}` +
            ` | autocannon ${f0(run.cannon.rps)} req/s p99 ${run.cannon.p99} ms (unfloored ${f2(run.cannon.precise.p99)})` +
            ` | others ${f2(run.foreignCores)} cores`,
        );
      }
    }
  }
  const section = render({
    throughput,
    rate,
    info: machine(redisVersion, loadBefore, os.loadavg()),
    startedAt,
    seconds: (performance.now() - t0) / 1000,
  });
  console.log(`\n${section}`);
  if (!args['no-write']) {
    writeSection(section);
    console.log(`written to ${RESULTS}`);
  }
} finally {
  await redis?.stop();
}
