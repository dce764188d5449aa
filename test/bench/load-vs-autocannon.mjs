#!/usr/bin/env node
// idemaudit's load executors vs autocannon (built dist/, plain node; not part of `npm test`).
//
//   npm run build && node test/bench/load-vs-autocannon.mjs [--pairs 3] [--duration 5] [--connections 50]
//                                                           [--rates 2000,5000] [--no-write]
//                                                           [--variants nginx,static,memory] [--wire socket|undici]
//                                                           [--profile]   (one idemaudit run under --cpu-prof: where the time goes)
//                                                           [--workers 1,2] [--curve-variants nginx]  (the workers curve)
//
// - "nginx": Debian's nginx answering a fixed 201 from its config, started here on a loopback port
//   with its own config in a temp dir (one worker process); skipped with a message when nginx is not
//   installed (apt-get install nginx). nginx is far cheaper per request than node:http, so this is
//   the case where the load GENERATOR is the bottleneck.
//
// 1. Closed model, equal connections: idemaudit's constant-connections executor (undici dispatch(),
//    a fresh idempotency key per request) vs autocannon, against the same server process:
//    - "static": a bare node:http server answering a fixed 201 (test/bench/server.mjs static);
//      autocannon sends one fixed request (its fastest path: a pre-built buffer);
//    - "memory": the reference server with its memory store and processing-ms 0; both tools send a
//      unique key per request (autocannon with idReplacement), so the server does the same work.
//    Runs alternate (pairs, the first tool of each pair alternating), each load generator in its own
//    process, the server in a third. Reported: req/s (median of the pairs) and the throughput ratio;
//    p99 in ms, idemaudit's floored to whole milliseconds as autocannon truncates (GUIDE section 5).
// 2. Open model accuracy: idemaudit's constant-arrival-rate executor at each --rates value against the
//    static server: achieved vs target rate, dropped requests, latency from the intended start and
//    service time.
// 3. With --workers 1,2: the workers curve, idemaudit's closed model on each number of worker threads
//    (--workers N of `idemaudit load`) against each --curve-variants server, runs alternating; req/s,
//    CPU per request of the whole generator process (all its threads) and the server's cores.
// Every run records how many cores other processes used meanwhile (this machine is shared), and waits
// (up to --quiet-wait s) for a quiet moment first. Results are printed and written into
// test/bench/LOAD-RESULTS.md between the bench:load markers.
import { fork } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..', '..');
const SELF = fileURLToPath(import.meta.url);
const SERVER = join(HERE, 'server.mjs');
const RESULTS = join(HERE, 'LOAD-RESULTS.md');
const START = '<!-- bench:load:start -->';
const END = '<!-- bench:load:end -->';
const PAYMENT = JSON.stringify({ amount: 1000, currency: 'EUR' });

const { values: args } = parseArgs({
  options: {
    role: { type: 'string' },
    url: { type: 'string' },
    mode: { type: 'string', default: 'fixed' },
    rate: { type: 'string' },
    pairs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    rates: { type: 'string', default: '2000,5000' },
    variants: { type: 'string', default: 'nginx,static,memory' },
    wire: { type: 'string', default: 'socket' },
    workers: { type: 'string', default: '' },
    'curve-variants': { type: 'string', default: 'nginx' },
    threads: { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
    'max-foreign': { type: 'string', default: '0.3' },
    'quiet-wait': { type: 'string', default: '20' },
    'no-write': { type: 'boolean', default: false },
  },
});
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);

// ---------------------------------------------------------------------------------------------
// Load generator roles (child processes): print one JSON line with the figures.

async function roleIdemaudit() {
  const { runLoad, runLoadInWorkers } = await import(new URL('../../dist/engine/load/index.js', import.meta.url).href);
  const url = new URL(args.url);
  const body = Buffer.from(PAYMENT);
  const rate = args.rate ? Number(args.rate) : undefined;
  const threads = Number(args.threads);
  const request = {
    endpoint: 'bench',
    origin: url.origin,
    path: url.pathname,
    method: 'POST',
    headers: ['content-type', 'application/json', 'authorization', 'Bearer bench'],
    keyHeader: 'idempotency-key',
    keyFormat: 'sf-string',
  };
  let cpu0 = process.cpuUsage();
  const options = {
    executor: rate
      ? { name: 'constant-arrival-rate', rate, durationMs: DURATION * 1000, connections: CONNECTIONS, maxInFlight: 10_000 }
      : { name: 'constant-connections', connections: CONNECTIONS, durationMs: DURATION * 1000 },
    maxRequests: 50_000_000,
    timeoutMs: 10_000,
    duplicates: 0,
    inFlightDuplicates: 0,
    seed: 'bench',
    statuses: { inFlight: [409], mismatch: [422] },
  };
  // process.cpuUsage() counts every thread of the process, so worker threads are included.
  const r =
    threads > 1
      ? // CPU counted from the moment the threads start sending: their start-up (each loads the engine) is not per request.
        await runLoadInWorkers({ ...options, template: { ...request, body: { kind: 'pool', pool: [body] } } }, threads, {
          onStart: () => (cpu0 = process.cpuUsage()),
        })
      : await runLoad({ ...options, template: { ...request, body: () => body } }, { wire: args.wire });
  const cpu = process.cpuUsage(cpu0);
  const all = r.stats.summaries('latency').all ?? {};
  const service = r.stats.summaries('service').all ?? {};
  const non2xx = Object.entries(r.statuses)
    .filter(([s]) => !s.startsWith('2'))
    .reduce((a, [, n]) => a + n, 0);
  const window = rate ? DURATION * 1000 : r.elapsedMs;
  return {
    tool: 'idemaudit',
    workers: r.workers ?? 1,
    rps: (r.completed * 1000) / window,
    completed: r.completed,
    sent: r.sent,
    planned: r.planned,
    dropped: r.dropped,
    late: r.late,
    maxLagMs: r.maxLagMs,
    p50: all.p50,
    p99: all.p99,
    p999: all.p999,
    max: all.max,
    serviceP50: service.p50,
    serviceP99: service.p99,
    errors: Object.values(r.errors).reduce((a, b) => a + b, 0),
    non2xx,
    cpuCores: (cpu.user + cpu.system) / 1e3 / r.elapsedMs,
  };
}

async function roleAutocannon() {
  const { default: autocannon } = await import('autocannon');
  const unique = args.mode === 'unique';
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await autocannon({
    url: args.url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION,
    body: PAYMENT,
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench', 'idempotency-key': unique ? '"ac-[<id>]"' : '"ac-fixed"' },
    ...(unique ? { idReplacement: true } : {}),
  });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    tool: 'autocannon',
    rps: r.requests.total / r.duration,
    completed: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    cpuCores: (cpu.user + cpu.system) / 1e3 / wall,
  };
}

if (args.role) {
  const result = args.role === 'idemaudit' ? await roleIdemaudit() : await roleAutocannon();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Orchestration

if (!existsSync(join(ROOT, 'dist', 'engine', 'load', 'index.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}

const HAS_PROC_STAT = existsSync('/proc/stat');
function machineBusySeconds() {
  if (!HAS_PROC_STAT) return Number.NaN;
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return (total - fields[3] - (fields[4] ?? 0)) / 100;
}
async function idleForeignCores(ms) {
  const before = machineBusySeconds();
  const mine = process.cpuUsage();
  await sleep(ms);
  const own = process.cpuUsage(mine);
  return (machineBusySeconds() - before - (own.user + own.system) / 1e6) / (ms / 1000);
}
async function waitQuiet() {
  if (!HAS_PROC_STAT) return Number.NaN;
  const deadline = performance.now() + Number(args['quiet-wait']) * 1000;
  let foreign = await idleForeignCores(500);
  while (foreign > Number(args['max-foreign']) && performance.now() < deadline) foreign = await idleForeignCores(500);
  return foreign;
}

function startServer(variant) {
  return new Promise((resolve, reject) => {
    const child = fork(SERVER, [variant], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${variant} server did not start`));
    }, 15_000);
    child.once('exit', (code) => reject(new Error(`${variant} server exited with ${code}`)));
    child.once('message', (m) => {
      clearTimeout(timer);
      if (m?.type !== 'ready') return reject(new Error(`unexpected message ${JSON.stringify(m)}`));
      resolve({ child, url: `${m.url}/payments`, variant });
    });
  });
}

/** nginx on a free loopback port with its own config (fixed 201), or undefined when nginx is absent. */
async function startNginx() {
  const bin = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((b) => existsSync(b));
  if (!bin) return undefined;
  const port = await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const dir = mkdtempSync(join(os.tmpdir(), 'idemaudit-bench-nginx-'));
  const body = JSON.stringify({ id: 'pay_0123456789abcdef01234567', amount: 1000, currency: 'EUR', status: 'succeeded' });
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  keepalive_requests 100000000; keepalive_timeout 60s;
  server {
    listen 127.0.0.1:${port};
    location / { default_type application/json; return 201 '${body}'; }
  }
}
`,
  );
  const child = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://127.0.0.1:${port}/payments`;
  for (let i = 0; i < 100; i++) {
    const up = await fetch(url, { method: 'POST', body: '{}' })
      .then((r) => r.status === 201)
      .catch(() => false);
    if (up) break;
    await sleep(50);
  }
  // CPU of the master and its workers, from /proc (clock ticks of 10 ms).
  const ticks = () =>
    [child.pid, ...readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)].reduce((sum, pid) => {
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return sum + Number(f[11]) + Number(f[12]);
      } catch {
        return sum;
      }
    }, 0);
  let mark = 0;
  return {
    child,
    url,
    variant: 'nginx',
    dir,
    mark: async () => {
      mark = ticks();
    },
    stats: async () => ({ cpuUs: (ticks() - mark) * 10_000 }),
    stop: async () => {
      child.kill('SIGQUIT');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(3000)]);
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startAny(variant) {
  if (variant === 'nginx') return startNginx();
  const server = await startServer(variant);
  return { ...server, mark: () => ask(server, 'mark'), stats: () => ask(server, 'stats'), stop: () => stopServer(server) };
}

function ask(server, type) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${type}`)), 5_000);
    server.child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    server.child.send({ type });
  });
}

async function stopServer(server) {
  server.child.removeAllListeners('exit');
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.send({ type: 'close' });
  await Promise.race([exited, sleep(5000)]);
  server.child.kill('SIGKILL');
}

/** Run one load generator in its own process; resolves with its figures and the cores the server and others used. */
async function generate(server, role, extra = []) {
  const foreignBefore = await waitQuiet();
  await server.mark();
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  const out = await new Promise((resolve, reject) => {
    const child = fork(
      SELF,
      ['--role', role, '--url', server.url, '--duration', String(DURATION), '--connections', String(CONNECTIONS), '--wire', args.wire, ...extra],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
        execArgv: profileDir && role === 'idemaudit' ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
      },
    );
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    const timer = setTimeout(
      () => {
        child.kill('SIGKILL');
        reject(new Error(`${role} did not finish`));
      },
      (DURATION + 30) * 1000,
    );
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${role} exited with ${code}: ${text}`));
      resolve(JSON.parse(text.trim().split('\n').at(-1)));
    });
  });
  const wall = (performance.now() - t0) / 1000;
  const stats = await server.stats();
  const serverCores = stats.cpuUs / 1e6 / wall;
  // Cores used by others during the run (the generator's own CPU includes its start-up, so approximate).
  const others = (machineBusySeconds() - busy0 - stats.cpuUs / 1e6) / wall - out.cpuCores * (DURATION / wall);
  return { ...out, serverCores, othersCores: Math.max(0, others), foreignBefore };
}

/** Self time by function (top 15) of the .cpuprofile in dir, as "share% name (file)" lines. */
function summarizeProfile(dir) {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return ['(no profile written)'];
  const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = prof.timeDeltas;
  prof.samples.forEach((id, i) => {
    const n = byId.get(id);
    const cf = n.callFrame;
    const where = cf.url ? cf.url.replace(/^.*\/(node_modules\/[^/]+|dist)\//, '$1/').replace(/^node:/, 'node:') : '';
    const key = `${cf.functionName || '(anonymous)'}${where ? ` (${where.split('/').slice(-2).join('/')})` : ''}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1)}% ${k}`);
}

/** Load generator CPU per completed request (µs): less noisy than req/s on a shared machine. */
const usPerRequest = (r) => (r.cpuCores * 1e6) / r.rps;
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f0 = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const f2 = (n) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const f3 = (n) => (Number.isFinite(n) ? n.toFixed(3) : '-');

const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${os.platform()} ${os.release()}`;
console.log(`machine: ${machine}`);
const PAIRS = Number(args.pairs);
const closed = {};

let profileDir;
const profileSummary = [];
for (const variant of args.variants
  .split(',')
  .map((v) => v.trim())
  .filter(Boolean)) {
  const server = await startAny(variant);
  if (!server) {
    console.log(`${variant}: skipped (nginx is not installed: apt-get install nginx)`);
    continue;
  }
  try {
    // Warm the server (JIT) before anything is measured.
    await generate(server, 'autocannon', ['--duration', '1', '--mode', variant === 'static' ? 'fixed' : 'unique']).catch(() => {});
    closed[variant] = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      const order = pair % 2 === 0 ? ['idemaudit', 'autocannon'] : ['autocannon', 'idemaudit'];
      const runs = {};
      for (const role of order) {
        runs[role] = await generate(server, role, role === 'autocannon' ? ['--mode', variant === 'static' ? 'fixed' : 'unique'] : []);
        const r = runs[role];
        console.log(
          `${variant} pair ${pair + 1} ${role}: ${f0(r.rps)} req/s, p99 ${f2(r.p99)} ms, loadgen ${f2(r.cpuCores)} cores (${f2(usPerRequest(r))} µs/request), server ${f2(r.serverCores)}, others ${f2(r.othersCores)} (quiet before ${f2(r.foreignBefore)})${r.errors || r.non2xx ? `, errors ${r.errors}, non-2xx ${r.non2xx}` : ''}`,
        );
      }
      closed[variant].push(runs);
    }
    if (args.profile && variant === 'nginx') {
      profileDir = mkdtempSync(join(os.tmpdir(), 'idemaudit-bench-prof-'));
      await generate(server, 'idemaudit');
      profileSummary.push(...summarizeProfile(profileDir));
      rmSync(profileDir, { recursive: true, force: true });
      profileDir = undefined;
    }
  } finally {
    await server.stop();
  }
}

const curve = [];
const WORKERS = args.workers
  .split(',')
  .map(Number)
  .filter((n) => n >= 1);
for (const variant of WORKERS.length > 0 ? args['curve-variants'].split(',').filter(Boolean) : []) {
  const server = await startAny(variant);
  if (!server) {
    console.log(`${variant}: skipped (nginx is not installed: apt-get install nginx)`);
    continue;
  }
  try {
    await generate(server, 'idemaudit', ['--duration', '1']).catch(() => {});
    const runs = Object.fromEntries(WORKERS.map((w) => [w, []]));
    for (let pair = 0; pair < PAIRS; pair++) {
      for (const w of pair % 2 === 0 ? WORKERS : [...WORKERS].reverse()) {
        const r = await generate(server, 'idemaudit', ['--threads', String(w)]);
        runs[w].push(r);
        console.log(
          `workers curve ${variant} round ${pair + 1}, ${w} worker(s): ${f0(r.rps)} req/s, p99 ${f2(r.p99)} ms, loadgen ${f2(r.cpuCores)} cores (${f2(usPerRequest(r))} µs/request), server ${f2(r.serverCores)}, others ${f2(r.othersCores)}`,
        );
      }
    }
    for (const w of WORKERS) curve.push({ variant, workers: w, runs: runs[w] });
  } finally {
    await server.stop();
  }
}

const open = [];
if (args.rates.split(',').some((r) => Number(r) > 0)) {
  const server = await startAny('static');
  try {
    await generate(server, 'idemaudit', ['--duration', '1']).catch(() => {});
    for (const rate of args.rates
      .split(',')
      .map(Number)
      .filter((r) => r > 0)) {
      const r = await generate(server, 'idemaudit', ['--rate', String(rate)]);
      open.push({ rate, ...r });
      console.log(
        `open model ${rate} req/s: achieved ${f0(r.rps)} (${f2((100 * r.rps) / rate)}%), sent ${r.sent} of ${r.planned} planned, dropped ${r.dropped}, latency p50 ${f3(r.p50)} p99 ${f3(r.p99)} ms, service p50 ${f3(r.serviceP50)} p99 ${f3(r.serviceP99)} ms, loadgen ${f2(r.cpuCores)} cores, others ${f2(r.othersCores)}`,
      );
    }
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const lines = [];
lines.push(
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; ${PAIRS} alternating pairs x ${DURATION} s, ${CONNECTIONS} connections; medians. Each load generator and the server ran in separate processes.`,
  '',
);
lines.push(`idemaudit wire: ${args.wire}.`, '');
lines.push(
  '| server | autocannon req/s | idemaudit req/s | ratio | autocannon p99 ms | idemaudit p99 ms (floored) | idemaudit p99 ms | loadgen CPU µs/request (ac / ia) | others cores |',
);
lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [variant, pairs] of Object.entries(closed)) {
  const ac = pairs.map((p) => p.autocannon);
  const ia = pairs.map((p) => p.idemaudit);
  const ratios = pairs.map((p) => p.idemaudit.rps / p.autocannon.rps);
  const name =
    variant === 'nginx'
      ? 'nginx (fixed 201, 1 worker)'
      : variant === 'static'
        ? 'bare node:http (fixed 201)'
        : 'reference server, memory store, processing-ms 0';
  lines.push(
    `| ${name} | ${f0(median(ac.map((r) => r.rps)))} | ${f0(median(ia.map((r) => r.rps)))} | ${f2(median(ratios))} | ${f0(median(ac.map((r) => r.p99)))} | ${f0(Math.floor(median(ia.map((r) => r.p99))))} | ${f2(median(ia.map((r) => r.p99)))} | ${f2(median(ac.map(usPerRequest)))} / ${f2(median(ia.map(usPerRequest)))} | ${f2(median([...ac, ...ia].map((r) => r.othersCores)))} |`,
  );
}
const QUIET = 0.3;
lines.push('', `Quiet pairs only (other processes used at most ${QUIET} cores during both runs of the pair):`, '');
for (const [variant, pairs] of Object.entries(closed)) {
  const quiet = pairs.filter((p) => p.idemaudit.othersCores <= QUIET && p.autocannon.othersCores <= QUIET);
  lines.push(
    quiet.length === 0
      ? `- ${variant}: none`
      : `- ${variant}: ${quiet.length} of ${pairs.length} pairs, ratio median ${f2(median(quiet.map((p) => p.idemaudit.rps / p.autocannon.rps)))}, req/s median ${f0(median(quiet.map((p) => p.idemaudit.rps)))} / ${f0(median(quiet.map((p) => p.autocannon.rps)))}, CPU µs/request median ${f2(median(quiet.map((p) => usPerRequest(p.idemaudit))))} / ${f2(median(quiet.map((p) => usPerRequest(p.autocannon))))}`,
  );
}
lines.push('', 'Per pair (req/s, idemaudit / autocannon, and the cores other processes used during each run):', '');
for (const [variant, pairs] of Object.entries(closed)) {
  lines.push(
    `- ${variant}: ${pairs.map((p, i) => `pair ${i + 1}: ${f0(p.idemaudit.rps)} / ${f0(p.autocannon.rps)} = ${f2(p.idemaudit.rps / p.autocannon.rps)} (others ${f2(p.idemaudit.othersCores)} / ${f2(p.autocannon.othersCores)})`).join('; ')}`,
  );
}
lines.push('', 'Open model (constant-arrival-rate, bare node:http server, 5 s):', '');
lines.push(
  '| target req/s | achieved req/s | achieved / target | sent / planned | dropped | late (> 5 ms), worst lag ms | latency p50 / p99 ms (from intended start) | service p50 / p99 ms | loadgen cores |',
);
lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of open) {
  lines.push(
    `| ${f0(r.rate)} | ${f0(r.rps)} | ${f2((100 * r.rps) / r.rate)}% | ${r.sent} / ${r.planned} | ${r.dropped} | ${r.late ?? '-'}, ${f0(r.maxLagMs)} | ${f3(r.p50)} / ${f3(r.p99)} | ${f3(r.serviceP50)} / ${f3(r.serviceP99)} | ${f2(r.cpuCores)} |`,
  );
}
if (curve.length > 0) {
  lines.push(
    '',
    `Workers curve (closed model, ${CONNECTIONS} connections, \`--workers N\`; medians of ${PAIRS} alternating rounds; load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}):`,
    '',
  );
  lines.push('| server | workers | req/s | vs 1 worker | p99 ms | loadgen cores | loadgen CPU µs/request | server cores | others cores |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of curve) {
    const base = curve.find((x) => x.variant === c.variant && x.workers === 1);
    const rps = median(c.runs.map((r) => r.rps));
    lines.push(
      `| ${c.variant} | ${c.workers} | ${f0(rps)} | ${base ? f2(rps / median(base.runs.map((r) => r.rps))) : '-'} | ${f2(median(c.runs.map((r) => r.p99)))} | ${f2(median(c.runs.map((r) => r.cpuCores)))} | ${f2(median(c.runs.map(usPerRequest)))} | ${f2(median(c.runs.map((r) => r.serverCores)))} | ${f2(median(c.runs.map((r) => r.othersCores)))} |`,
    );
  }
}
if (profileSummary.length > 0) {
  lines.push('', "Where idemaudit's time goes against nginx (one run under --cpu-prof, self time, top 15):", '', ...profileSummary.map((l) => `- ${l}`));
}
const section = lines.join('\n');
console.log(`\n${section}`);

if (!args['no-write']) {
  const text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : `# Load executor benchmark\n\n${START}\n${END}\n`;
  const next =
    text.includes(START) && text.includes(END)
      ? `${text.slice(0, text.indexOf(START) + START.length)}\n${section}\n${text.slice(text.indexOf(END))}`
      : `${text}\n${START}\n${section}\n${END}\n`;
  writeFileSync(RESULTS, next);
  console.log(`\nwritten: ${RESULTS}`);
}
