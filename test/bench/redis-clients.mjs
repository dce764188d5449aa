#!/usr/bin/env node
// What one Redis command costs the Node process on each client, and the Redis server per call: the
// store's claim script (begin-1.lua, EVALSHA) against the plain SET NX PX the peer packages send, on
// ioredis (the store's default client, auto-pipelining as the store creates it) and on node-redis v4
// (the peers' client, and the store's alternative). Not in npm test; built-free (plain node).
//
//   node test/bench/redis-clients.mjs [--rounds 3] [--ops 30000] [--concurrency 50]
//
// Client CPU: process.cpuUsage() around `ops` commands, `concurrency` in flight, new keys each time,
// on a redis-server of its own (test/bench/peer-cores.mjs). Redis CPU: INFO commandstats
// usec_per_call of EVALSHA and SET over the whole run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startOwnRedis } from './own-redis.mjs';

const require = createRequire(import.meta.url);
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    ops: { type: 'string', default: '30000' },
    concurrency: { type: 'string', default: '50' },
  },
});
const OPS = Number(args.ops);
const CONCURRENCY = Number(args.concurrency);
const BEGIN = readFileSync(new URL('../../src/reference/store/redis/lua/begin-1.lua', import.meta.url), 'utf8');

const redis = await startOwnRedis();
const io = new Redis(redis.url, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
io.defineCommand('idemBegin', { numberOfKeys: 1, lua: BEGIN });
const { createClient } = require('redis');
const nr = createClient({ url: redis.url, disableOfflineQueue: true });
nr.on('error', () => {});
await nr.connect();
const sha = await nr.scriptLoad(BEGIN);

let seq = 0;
const variants = {
  'ioredis SET NX PX': (key) => io.set(key, 'v', 'PX', 60_000, 'NX'),
  'ioredis EVALSHA begin': (key) => io.idemBegin(key, 'fp', 'token', 60_000),
  'node-redis SET NX PX': (key) => nr.set(key, 'v', { PX: 60_000, NX: true }),
  'node-redis EVALSHA begin': (key) => nr.evalSha(sha, { keys: [key], arguments: ['fp', 'token', '60000'] }),
};
async function cpuPerOp(op) {
  const cpu0 = process.cpuUsage();
  let started = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (started < OPS) {
        started++;
        await op(`k${seq++}`);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / OPS;
}

const figures = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (const op of Object.values(variants)) await cpuPerOp(op); // warm-up
await io.config('RESETSTAT');
for (let round = 0; round < Number(args.rounds); round++) {
  for (const [name, op] of Object.entries(variants)) {
    figures[name].push(await cpuPerOp(op));
    await io.flushall();
  }
}
const stats = await io.info('commandstats');
const perCall = (command) => Number(new RegExp(`^cmdstat_${command}:.*usec_per_call=([\\d.]+)`, 'm').exec(stats)?.[1] ?? NaN);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`client CPU per command, µs (median of ${args.rounds} rounds of ${OPS}, ${CONCURRENCY} in flight; every round):`);
for (const [name, xs] of Object.entries(figures))
  console.log(`  ${name.padEnd(26)} ${median(xs).toFixed(1).padStart(6)}   (${xs.map((x) => x.toFixed(1)).join(', ')})`);
console.log(`Redis CPU per call, µs (INFO commandstats): EVALSHA begin ${perCall('evalsha').toFixed(2)}, SET ${perCall('set').toFixed(2)}`);
io.disconnect();
await nr.quit();
await redis.stop();
