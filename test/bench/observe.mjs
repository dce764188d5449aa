// Benchmark of `idemaudit observe` on a large JSON-lines file generated on the fly into a temp
// dir (default 1 GiB; BENCH_MB=256 for a quicker run). Reports throughput (MB/s) and peak RSS,
// and RSS sampled along the way (flat memory is the goal), side by side with a floor: a plain
// readline + JSON.parse loop over the same file, which does no analysis at all.
//   npm run build && node test/bench/observe.mjs
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TARGET_BYTES = Number(process.env.BENCH_MB ?? 1024) * 1024 * 1024;
const dir = mkdtempSync(path.join(tmpdir(), 'idemaudit-observe-bench-'));
const file = path.join(dir, 'traffic.jsonl');

// A realistic gateway line (~330 bytes): 200 requests/s, 4 client versions, 500 credentials,
// 80 % keyed, 10 % of keyed requests retried after 1-3 s, 5 % keyless retries.
async function generate() {
  const out = createWriteStream(file, { highWaterMark: 4 * 1024 * 1024 });
  const clients = ['shop-ios/3.1.0 (iPhone; iOS 18.1)', 'shop-android/2.4.0 (Pixel 8)', 'legacy-web/1.0', 'partner-sdk/0.9.2'];
  const t0 = Date.UTC(2026, 11, 1);
  let bytes = 0;
  let i = 0;
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  let batch = [];
  const pending = [];
  while (bytes < TARGET_BYTES) {
    const n = i; // the retry closure below must see this request's number, not the loop's later one
    const t = t0 + i * 5;
    const client = clients[i % 4];
    const keyed = i % 5 !== 0;
    const key = keyed ? `7c9e6679-7425-40de-944b-${(1e11 + i).toString(16).padStart(12, '0')}` : undefined;
    const order = i % 3 === 0;
    const p = order ? `/v1/orders/ord_${(i * 7919).toString(36)}x/capture` : '/v1/payments';
    const body = `{"amount":${100 + (i % 9000)},"currency":"EUR","reference":"ref-${i}","customer":"cus_${i % 500}"}`;
    const line = (time, status) =>
      JSON.stringify({
        time: new Date(time).toISOString(),
        method: 'POST',
        path: p,
        status,
        headers: { 'idempotency-key': key, 'user-agent': client, authorization: `Bearer tok_${n % 500}_secretsecretsecret`, 'x-request-id': `req_${n}` },
        body,
      });
    const first = line(t, 201);
    batch.push(first);
    bytes += first.length + 1;
    if ((keyed && rand() < 0.1) || (!keyed && rand() < 0.05)) {
      pending.push([t + 1000 + Math.floor(rand() * 2000), line]);
    }
    // Flush the retries whose time has come, so the file stays chronological.
    while (pending.length && pending[0][0] <= t) {
      const [rt, mk] = pending.shift();
      const l = mk(rt, 409);
      batch.push(l);
      bytes += l.length + 1;
    }
    i += 1;
    if (batch.length >= 10_000) {
      if (!out.write(batch.join('\n') + '\n')) await new Promise((r) => out.once('drain', r));
      batch = [];
    }
  }
  if (batch.length) out.write(batch.join('\n') + '\n');
  await new Promise((r) => out.end(r));
  return i;
}

/** Run a node process, sampling its RSS from /proc every 250 ms; VmHWM is the peak. */
function measure(args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const samples = [];
    let peak = 0;
    let cpuTicks = 0;
    const timer = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
        peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
        samples.push(rss);
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        cpuTicks = Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100 per second)
      } catch {
        /* exited */
      }
    }, 250);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ code, seconds, cpuSeconds: cpuTicks / 100, peakMb: Math.max(peak, ...samples), samples: samples.filter((x) => x > 0), stdout });
    });
  });
}

const FLOOR = `
const rl = require('node:readline').createInterface({ input: require('node:fs').createReadStream(process.argv[1], { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
let n = 0; rl.on('line', (l) => { if (JSON.parse(l).method) n++; }); rl.on('close', () => console.log(n));`;

const quartiles = (s) => [0.25, 0.5, 0.75, 1].map((q) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))]?.toFixed(0) ?? '-').join(' / ');

const loadBefore = (await import('node:os'))
  .loadavg()
  .map((x) => x.toFixed(1))
  .join(' ');
try {
  const t = Date.now();
  const logical = await generate();
  const size = statSync(file).size;
  const mb = size / (1024 * 1024);
  console.log(`generated ${mb.toFixed(0)} MiB (${logical} logical requests) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const observe = await measure([path.join(ROOT, 'bin/idemaudit.js'), 'observe', file, '--format', 'json']);
  if (observe.code !== 0) throw new Error(`observe exited ${observe.code}`);
  const report = JSON.parse(observe.stdout);
  const floor = await measure(['-e', FLOOR, file]);
  console.log('');
  console.log('| run | MiB | seconds | MiB/s | CPU seconds | MiB per CPU second | peak RSS MiB | RSS at 25/50/75/100 % of the run, MiB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const [name, r] of [
    ['idemaudit observe (full analysis)', observe],
    ['floor: readline + JSON.parse, no analysis', floor],
  ]) {
    console.log(
      `| ${name} | ${mb.toFixed(0)} | ${r.seconds.toFixed(1)} | ${(mb / r.seconds).toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${(mb / r.cpuSeconds).toFixed(1)} | ${r.peakMb.toFixed(0)} | ${quartiles(r.samples)} |`,
    );
  }
  console.log('');
  console.log(
    `load average before / after: ${loadBefore} / ${(await import('node:os'))
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (2 cores)`,
  );
  console.log(
    `observe found: ${report.records} requests, ${report.totals.keyedRetries} keyed retries, ${report.totals.keylessRetries} keyless retries, evicted early ${report.evictedEarly}`,
  );
} finally {
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${file}`);
}
