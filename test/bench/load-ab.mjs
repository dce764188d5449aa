#!/usr/bin/env node
// Two builds of the load engine side by side (A/B), e.g. before and after a refactor of the hot
// path: each run is a separate process with the closed model (constant-connections, unique keys)
// against the same bare node:http server (test/bench/server.mjs static), runs alternating A, B, B, A...
// Reports req/s and load-generator CPU per request (less noisy than req/s on a shared machine).
//
//   cp -r dist /tmp/dist-before   # before the change
//   npm run build && node test/bench/load-ab.mjs --a /tmp/dist-before --b dist [--runs 6] [--duration 4] [--connections 50]
import { fork } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..', '..');
const { values: args } = parseArgs({
  options: {
    role: { type: 'string' },
    dist: { type: 'string' },
    url: { type: 'string' },
    a: { type: 'string' },
    b: { type: 'string', default: 'dist' },
    runs: { type: 'string', default: '6' },
    duration: { type: 'string', default: '4' },
    connections: { type: 'string', default: '50' },
  },
});

if (args.role === 'gen') {
  const { runLoad } = await import(pathToFileURL(join(resolve(args.dist), 'engine', 'load', 'index.js')).href);
  const url = new URL(args.url);
  const body = Buffer.from('{"amount":1000,"currency":"EUR"}');
  const cpu0 = process.cpuUsage();
  const r = await runLoad({
    template: {
      endpoint: 'bench',
      origin: url.origin,
      path: url.pathname,
      method: 'POST',
      headers: ['content-type', 'application/json', 'authorization', 'Bearer bench'],
      keyHeader: 'idempotency-key',
      keyFormat: 'sf-string',
      body: () => body,
    },
    executor: { name: 'constant-connections', connections: Number(args.connections), durationMs: Number(args.duration) * 1000 },
    maxRequests: 50_000_000,
    timeoutMs: 10_000,
    duplicates: 0,
    inFlightDuplicates: 0,
    seed: 'bench',
    statuses: { inFlight: [409], mismatch: [422] },
  });
  const cpu = process.cpuUsage(cpu0);
  const errors = Object.values(r.errors).reduce((x, y) => x + y, 0);
  process.stdout.write(`${JSON.stringify({ rps: (r.completed * 1000) / r.elapsedMs, usPerReq: (cpu.user + cpu.system) / r.completed, errors })}\n`);
  process.exit(0);
}

if (!args.a) {
  console.error('usage: node test/bench/load-ab.mjs --a <dist dir> [--b dist]');
  process.exit(2);
}
const server = fork(join(HERE, 'server.mjs'), ['static'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const url = await new Promise((res) => server.once('message', (m) => res(`${m.url}/payments`)));
const gen = (dist) =>
  new Promise((res, rej) => {
    const c = fork(
      fileURLToPath(import.meta.url),
      ['--role', 'gen', '--dist', dist, '--url', url, '--duration', args.duration, '--connections', args.connections],
      { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
    );
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').at(-1))) : rej(new Error(`generator exited ${code}`))));
  });
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const runs = { a: [], b: [] };
try {
  for (let i = 0; i < Number(args.runs); i++) {
    for (const side of i % 2 === 0 ? ['a', 'b'] : ['b', 'a']) {
      const r = await gen(args[side]);
      runs[side].push(r);
      console.log(
        `run ${i + 1} ${side.toUpperCase()}: ${Math.round(r.rps)} req/s, ${r.usPerReq.toFixed(2)} µs CPU/request${r.errors ? `, ${r.errors} errors` : ''}`,
      );
    }
  }
} finally {
  server.send({ type: 'close' });
}
const rps = (s) => median(runs[s].map((r) => r.rps));
const us = (s) => median(runs[s].map((r) => r.usPerReq));
console.log(
  `\nmedians: A ${Math.round(rps('a'))} req/s ${us('a').toFixed(2)} µs/req | B ${Math.round(rps('b'))} req/s ${us('b').toFixed(2)} µs/req | B/A req/s ${(rps('b') / rps('a')).toFixed(3)}, CPU/req ${(us('b') / us('a')).toFixed(3)}`,
);
