#!/usr/bin/env node
// The load engine's own CPU per request, without sockets: two builds side by side (A/B), each run in
// its own process with a transport that answers every request on the next turn of the event loop
// (201, no body). Less sensitive to a busy machine than req/s over loopback: it reports CPU time.
//
//   node test/bench/engine-ab.mjs --a /tmp/dist-before --b dist [--runs 6] [--requests 300000]
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
    requests: { type: 'string', default: '300000' },
    duplicates: { type: 'string', default: '0' },
  },
});

if (args.role === 'gen') {
  const { LoadEngine, realClock } = await import(pathToFileURL(join(resolve(args.dist), 'engine', 'load', 'index.js')).href);
  let pending = [];
  let scheduled = false;
  const drain = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    for (const f of batch) {
      f.onHeaders(201, []);
      f.onData(Buffer.from('{"id":"x"}'));
      f.onComplete();
    }
  };
  const transport = {
    url: 'http://fake/p',
    send(f) {
      pending.push(f);
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    },
    done() {},
    requestHeaders: () => ({}),
    close: async () => {},
    destroy: async () => {},
  };
  const body = Buffer.from('{"amount":1}');
  const engine = new LoadEngine(
    {
      template: {
        endpoint: 'e',
        origin: 'http://fake',
        path: '/p',
        method: 'POST',
        headers: [],
        keyHeader: 'idempotency-key',
        keyFormat: 'sf-string',
        body: () => body,
      },
      executor: { name: 'constant-connections', connections: 50, durationMs: 600_000 },
      maxRequests: Number(args.requests),
      timeoutMs: 10_000,
      duplicates: Number(args.duplicates),
      inFlightDuplicates: 0.5,
      seed: 'ab',
      statuses: { inFlight: [409], mismatch: [422] },
      identity: '/id',
    },
    transport,
    realClock,
  );
  const cpu0 = process.cpuUsage();
  const r = await engine.run();
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ usPerReq: (cpu.user + cpu.system) / r.completed, completed: r.completed })}\n`);
  process.exit(0);
}

if (!args.a) {
  console.error('usage: node test/bench/engine-ab.mjs --a <dist dir> [--b dist]');
  process.exit(2);
}
const gen = (dist) =>
  new Promise((res, rej) => {
    const c = fork(fileURLToPath(import.meta.url), ['--role', 'gen', '--dist', dist, '--requests', args.requests, '--duplicates', args.duplicates], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').at(-1))) : rej(new Error(`exited ${code}`))));
  });
const runs = { a: [], b: [] };
for (let i = 0; i < Number(args.runs); i++) {
  for (const side of i % 2 === 0 ? ['a', 'b'] : ['b', 'a']) {
    const r = await gen(args[side]);
    runs[side].push(r.usPerReq);
    console.log(`run ${i + 1} ${side.toUpperCase()}: ${r.usPerReq.toFixed(3)} µs CPU/request (${r.completed} requests)`);
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(`\nmedians: A ${median(runs.a).toFixed(3)} µs/req, B ${median(runs.b).toFixed(3)} µs/req, B/A ${(median(runs.b) / median(runs.a)).toFixed(3)}`);
