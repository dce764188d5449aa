#!/usr/bin/env node
// The reference layer's own CPU per request, without sockets or a framework: two builds side by side
// (A/B), each run in its own process. A request goes through layer.handle() with a MemoryStore and a
// handler that answers a fixed 201 on the next turn of the event loop, `concurrency` requests in
// flight; the same handler called directly (no layer) is measured in the same process and subtracted,
// so the figure is what the layer adds. CPU time, not wall time: less disturbed by a busy machine.
//
//   node test/bench/layer-ab.mjs --a /tmp/dist-before --b dist [--runs 6] [--requests 200000]
//                                [--concurrency 50] [--mode unique|replay]
import { fork } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    role: { type: 'string' },
    dist: { type: 'string' },
    a: { type: 'string' },
    b: { type: 'string', default: 'dist' },
    runs: { type: 'string', default: '6' },
    requests: { type: 'string', default: '200000' },
    concurrency: { type: 'string', default: '50' },
    mode: { type: 'string', default: 'unique' },
  },
});
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);

if (args.role === 'gen') {
  const { createIdempotencyLayer, MemoryStore } = await import(pathToFileURL(join(resolve(args.dist), 'reference', 'index.js')).href);
  const layer = createIdempotencyLayer({ store: new MemoryStore({ maxRecords: Number.POSITIVE_INFINITY }), scope: 'global' });
  const body = Buffer.from('{"amount":1000,"currency":"EUR"}');
  const answer = Buffer.from('{"id":"pay_1","amount":1000,"currency":"EUR","status":"created"}');
  const nextTurn = () => new Promise((r) => setImmediate(r));
  const execute = async () => {
    await nextTurn();
    return { status: 201, headers: { 'content-type': 'application/json', location: '/payments/pay_1' }, body: answer };
  };
  const keys = args.mode === 'replay' ? Array.from({ length: 1000 }, (_, i) => `"r-${i}"`) : undefined;
  if (keys) for (const key of keys) await layer.handle({ method: 'POST', path: '/payments', headers: { 'idempotency-key': key }, body }, execute);
  let seq = 0;
  const keyOf = keys ? (i) => keys[i % keys.length] : (i) => `"k-${i}"`;
  /** CPU µs per request for `n` requests, `CONCURRENCY` in flight, through `one(i)`. */
  async function cpuPerRequest(n, one) {
    const cpu0 = process.cpuUsage();
    let next = 0;
    const worker = async () => {
      while (next < n) await one(next++);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const cpu = process.cpuUsage(cpu0);
    return (cpu.user + cpu.system) / n;
  }
  const viaLayer = (i) => layer.handle({ method: 'POST', path: '/payments', headers: { 'idempotency-key': keyOf(seq + i) }, body }, execute);
  // Warm-up of both paths, then the measured runs.
  await cpuPerRequest(20_000, viaLayer);
  seq += 20_000;
  await cpuPerRequest(20_000, execute);
  // The handler alone before and after the layered run (their mean), so drift during the run cancels.
  const bareBefore = await cpuPerRequest(REQUESTS, execute);
  const layered = await cpuPerRequest(REQUESTS, viaLayer);
  const bare = (bareBefore + (await cpuPerRequest(REQUESTS, execute))) / 2;
  process.stdout.write(`${JSON.stringify({ bare, layered, overhead: layered - bare })}\n`);
  process.exit(0);
}

if (!args.a) {
  console.error('usage: node test/bench/layer-ab.mjs --a <dist dir> [--b dist] [--mode unique|replay]');
  process.exit(2);
}
const gen = (dist) =>
  new Promise((res, rej) => {
    const c = fork(
      fileURLToPath(import.meta.url),
      ['--role', 'gen', '--dist', dist, '--requests', args.requests, '--concurrency', args.concurrency, '--mode', args.mode],
      {
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      },
    );
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').at(-1))) : rej(new Error(`exited ${code}`))));
  });
const runs = { a: [], b: [] };
for (let i = 0; i < Number(args.runs); i++) {
  for (const side of i % 2 === 0 ? ['a', 'b'] : ['b', 'a']) {
    const r = await gen(args[side]);
    runs[side].push(r.overhead);
    console.log(
      `run ${i + 1} ${side.toUpperCase()}: layer adds ${r.overhead.toFixed(2)} µs CPU/request (handler alone ${r.bare.toFixed(2)}, through the layer ${r.layered.toFixed(2)})`,
    );
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(
  `\n${args.mode} keys, ${REQUESTS} requests, ${CONCURRENCY} in flight: layer overhead median A ${median(runs.a).toFixed(2)} µs/req, B ${median(runs.b).toFixed(2)} µs/req, B/A ${(median(runs.b) / median(runs.a)).toFixed(3)}`,
);
