#!/usr/bin/env node
// The idempotency cores side by side without sockets to the client or a framework: what each adds in
// CPU per request around the same handler, in one run (built dist/, plain node; not in npm test).
// HTTP over loopback on a 2-core box shared with the load generator moves server CPU per request by
// ±25 µs between runs (peers.mjs); this takes the kernel, express and autocannon out, leaving the
// layer (or the peer) and its store client.
//
//   node test/bench/peers-core.mjs [--runs 5] [--requests N] [--concurrency 50] [--mode unique|replay]
//                                  [--store memory|redis] [--variants idemaudit,node-idempotency,powertools]
//
// Variants: idemaudit (this checkout's dist/), idemaudit@<dist folder> (another build of the layer, for
// an A/B of a change: `npm run build` on the old commit, copy dist/ away), idemaudit-node-redis (the
// Redis store on a node-redis client, --store redis only), node-idempotency, powertools.
// Each variant runs in its own process, variants in a rotated order every run. A request: the
// variant's own entry point with a fresh key (or one of 1,000 completed keys for replays), 50 in
// flight, the handler answering on the next turn of the event loop. The handler alone is measured
// in the same process before and after and subtracted: "adds" is the variant's own CPU per request.
// --store redis: every variant on a redis-server of the benchmark's own (flushed between runs), its
// own client; the figure is the Node process's CPU (Redis's own is not in it). Default N: 100,000
// requests on memory, 20,000 on Redis.
//   idemaudit          createIdempotencyLayer({ store: MemoryStore | createRedisStore(), scope: 'global' }).handle()
//   node-idempotency   @node-idempotency/core onRequest / handler / onResponse, memory or Redis adapter
//   powertools         @aws-lambda-powertools/idempotency makeIdempotent, Map-backed persistence or its
//                      CachePersistenceLayer (node-redis)
import { fork } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startOwnRedis } from './own-redis.mjs';
import { nodeIdempotency, nodeRedisClient, powertools } from './peer-cores.mjs';

const { values: args } = parseArgs({
  options: {
    role: { type: 'string' },
    variant: { type: 'string' },
    variants: { type: 'string', default: 'idemaudit,node-idempotency,powertools' },
    runs: { type: 'string', default: '5' },
    requests: { type: 'string' },
    concurrency: { type: 'string', default: '50' },
    mode: { type: 'string', default: 'unique' },
    store: { type: 'string', default: 'memory' },
    'redis-url': { type: 'string' },
  },
});
if (!['memory', 'redis'].includes(args.store)) throw new Error(`--store must be memory or redis, got ${args.store}`);
if (!['unique', 'replay'].includes(args.mode)) throw new Error(`--mode must be unique or replay, got ${args.mode}`);
args.requests ??= args.store === 'redis' ? '20000' : '100000';
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const PAYMENT = { amount: 1000, currency: 'EUR' };
const PAYMENT_BYTES = Buffer.from(JSON.stringify(PAYMENT));

/** One request through `variant` (`name` or `name@dist`): (key) => Promise, the handler answering on the next turn. */
async function entryPoint(variant, redisUrl) {
  const at = variant.includes('@') ? variant.slice(variant.indexOf('@') + 1) : undefined;
  const name = at === undefined ? variant : variant.slice(0, variant.indexOf('@'));
  let sequence = 0;
  const nextTurn = () => new Promise((r) => setImmediate(r));
  const createPayment = async (body) => {
    await nextTurn();
    return { id: `pay_${++sequence}`, amount: body.amount, currency: body.currency, status: 'created' };
  };
  switch (name) {
    case 'bare':
      return () => createPayment(PAYMENT);
    case 'idemaudit':
    case 'idemaudit-node-redis': {
      const dist = at ?? fileURLToPath(new URL('../../dist', import.meta.url));
      const { createIdempotencyLayer, createRedisStore, MemoryStore } = await import(pathToFileURL(join(resolve(dist), 'reference', 'index.js')).href);
      if (name === 'idemaudit-node-redis' && !redisUrl) throw new Error('idemaudit-node-redis needs --store redis');
      const store = !redisUrl
        ? new MemoryStore({ maxRecords: Number.POSITIVE_INFINITY })
        : name === 'idemaudit-node-redis'
          ? createRedisStore({ redis: await nodeRedisClient(redisUrl), prefix: 'bench:' })
          : createRedisStore({ url: redisUrl, prefix: 'bench:' });
      const layer = createIdempotencyLayer({ store, scope: 'global' });
      // The adapter's share: the handler's answer as an envelope (JSON bytes, status, headers).
      const execute = async () => {
        const payment = await createPayment(PAYMENT);
        return {
          status: 201,
          headers: { 'content-type': 'application/json', location: `/payments/${payment.id}` },
          body: Buffer.from(JSON.stringify(payment)),
        };
      };
      return (key) => layer.handle({ method: 'POST', path: '/payments', headers: { 'idempotency-key': `"${key}"` }, body: PAYMENT_BYTES }, execute);
    }
    case 'node-idempotency': {
      const { idem } = await nodeIdempotency({ redisUrl, prefix: 'bench:' });
      return async (key) => {
        const request = { method: 'POST', headers: { 'idempotency-key': key }, body: PAYMENT, path: '/payments' };
        const cached = await idem.onRequest(request);
        if (cached) return cached;
        const body = await createPayment(PAYMENT);
        await idem.onResponse(request, { body, additional: { status: 201 } });
        return body;
      };
    }
    case 'powertools': {
      const { idempotent } = await powertools(async ({ body }) => createPayment(body), { redisUrl });
      return (key) => idempotent({ key, body: PAYMENT });
    }
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

if (args.role === 'gen') {
  const bare = await entryPoint('bare');
  const one = await entryPoint(args.variant, args['redis-url']);
  const replayKeys = args.mode === 'replay' ? Array.from({ length: 1000 }, (_, i) => `r-${i}`) : undefined;
  if (replayKeys) for (const key of replayKeys) await one(key);
  let seq = 0;
  const keyOf = replayKeys ? () => replayKeys[seq++ % replayKeys.length] : () => `k-${seq++}`;
  /** CPU µs per request for `n` requests, CONCURRENCY in flight, through `call`. */
  async function cpuPerRequest(n, call) {
    const cpu0 = process.cpuUsage();
    let started = 0;
    const worker = async () => {
      while (started < n) {
        started++;
        await call(keyOf());
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const cpu = process.cpuUsage(cpu0);
    return (cpu.user + cpu.system) / n;
  }
  await cpuPerRequest(20_000, one); // warm-up of both paths
  await cpuPerRequest(20_000, bare);
  const bareBefore = await cpuPerRequest(REQUESTS, bare);
  const through = await cpuPerRequest(REQUESTS, one);
  const bareAfter = await cpuPerRequest(REQUESTS, bare);
  const handler = (bareBefore + bareAfter) / 2;
  process.stdout.write(`${JSON.stringify({ handler, through, adds: through - handler })}\n`);
  process.exit(0);
}

const variants = args.variants.split(',').filter(Boolean);
const gen = (variant) =>
  new Promise((res, rej) => {
    const c = fork(
      fileURLToPath(import.meta.url),
      [
        ...['--role', 'gen', '--variant', variant, '--requests', args.requests, '--concurrency', args.concurrency, '--mode', args.mode],
        ...(redis ? ['--redis-url', redis.url] : []),
      ],
      { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
    );
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').at(-1))) : rej(new Error(`${variant} exited ${code}`))));
  });
const redis = args.store === 'redis' ? await startOwnRedis() : undefined;
const flush = async () => {
  await redis?.client.flushall();
};
const adds = Object.fromEntries(variants.map((v) => [v, []]));
for (let run = 0; run < Number(args.runs); run++) {
  for (const variant of variants.map((_, i) => variants[(i + run) % variants.length])) {
    await flush();
    const r = await gen(variant);
    adds[variant].push(r.adds);
    console.log(
      `run ${run + 1} ${variant}: adds ${r.adds.toFixed(2)} µs CPU/request (handler alone ${r.handler.toFixed(2)}, through it ${r.through.toFixed(2)})`,
    );
  }
}
await redis?.stop();
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const ours = (v) => v.startsWith('idemaudit');
const best = Math.min(...variants.filter((v) => !ours(v)).map((v) => median(adds[v])));
console.log(
  `\n${args.mode} keys, ${args.store} store, ${REQUESTS} requests x ${args.runs} runs, ${CONCURRENCY} in flight (median µs CPU per request added to the handler):`,
);
for (const v of variants)
  console.log(
    `  ${v.padEnd(18)} ${median(adds[v]).toFixed(2).padStart(7)}${ours(v) && Number.isFinite(best) ? `   (cheapest peer / ${v}: ${(best / median(adds[v])).toFixed(2)}x)` : ''}`,
  );
