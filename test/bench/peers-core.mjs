#!/usr/bin/env node
// The idempotency cores side by side without sockets or a framework: what each adds in CPU per
// request around the same handler, memory-backed, in one run (built dist/, plain node; not in npm test).
// HTTP over loopback on a 2-core box shared with the load generator moves server CPU per request by
// ±25 µs between runs (peers.mjs); this takes the kernel, express and autocannon out, leaving the
// layer (or the peer) and its store.
//
//   node test/bench/peers-core.mjs [--runs 5] [--requests 100000] [--concurrency 50] [--mode unique|replay]
//                                  [--variants idemaudit,node-idempotency,powertools] [--dist dist]
//
// Each variant runs in its own process, variants in a rotated order every run. A request: the
// variant's own entry point with a fresh key (or one of 1,000 completed keys for replays), 50 in
// flight, the handler answering on the next turn of the event loop. The handler alone is measured
// in the same process before and after and subtracted: "adds" is the variant's own CPU per request.
//   idemaudit          createIdempotencyLayer({ store: MemoryStore, scope: 'global' }).handle()
//   node-idempotency   @node-idempotency/core onRequest / handler / onResponse, memory adapter
//   powertools         @aws-lambda-powertools/idempotency makeIdempotent, Map-backed persistence
import { fork } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { nodeIdempotency, powertools } from './peer-cores.mjs';

const { values: args } = parseArgs({
  options: {
    role: { type: 'string' },
    variant: { type: 'string' },
    variants: { type: 'string', default: 'idemaudit,node-idempotency,powertools' },
    dist: { type: 'string', default: 'dist' },
    runs: { type: 'string', default: '5' },
    requests: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '50' },
    mode: { type: 'string', default: 'unique' },
  },
});
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const PAYMENT = { amount: 1000, currency: 'EUR' };
const PAYMENT_BYTES = Buffer.from(JSON.stringify(PAYMENT));

/** One request through `variant`: (key) => Promise, the handler answering on the next turn. */
async function entryPoint(variant) {
  let sequence = 0;
  const nextTurn = () => new Promise((r) => setImmediate(r));
  const createPayment = async (body) => {
    await nextTurn();
    return { id: `pay_${++sequence}`, amount: body.amount, currency: body.currency, status: 'created' };
  };
  switch (variant) {
    case 'bare':
      return () => createPayment(PAYMENT);
    case 'idemaudit': {
      const { createIdempotencyLayer, MemoryStore } = await import(pathToFileURL(join(resolve(args.dist), 'reference', 'index.js')).href);
      const layer = createIdempotencyLayer({ store: new MemoryStore({ maxRecords: Number.POSITIVE_INFINITY }), scope: 'global' });
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
      const { idem } = await nodeIdempotency({ prefix: 'bench:' });
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
      const { idempotent } = await powertools(async ({ body }) => createPayment(body), {});
      return (key) => idempotent({ key, body: PAYMENT });
    }
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

if (args.role === 'gen') {
  const bare = await entryPoint('bare');
  const one = await entryPoint(args.variant);
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
      ['--role', 'gen', '--variant', variant, '--dist', args.dist, '--requests', args.requests, '--concurrency', args.concurrency, '--mode', args.mode],
      { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
    );
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').at(-1))) : rej(new Error(`${variant} exited ${code}`))));
  });
const adds = Object.fromEntries(variants.map((v) => [v, []]));
for (let run = 0; run < Number(args.runs); run++) {
  for (const variant of variants.map((_, i) => variants[(i + run) % variants.length])) {
    const r = await gen(variant);
    adds[variant].push(r.adds);
    console.log(
      `run ${run + 1} ${variant}: adds ${r.adds.toFixed(2)} µs CPU/request (handler alone ${r.handler.toFixed(2)}, through it ${r.through.toFixed(2)})`,
    );
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const best = Math.min(...variants.filter((v) => v !== 'idemaudit').map((v) => median(adds[v])));
console.log(`\n${args.mode} keys, ${REQUESTS} requests x ${args.runs} runs, ${CONCURRENCY} in flight (median µs CPU per request added to the handler):`);
for (const v of variants)
  console.log(
    `  ${v.padEnd(18)} ${median(adds[v]).toFixed(2).padStart(7)}${v === 'idemaudit' && Number.isFinite(best) ? `   (cheapest peer / idemaudit: ${(best / median(adds[v])).toFixed(2)}x)` : ''}`,
  );
