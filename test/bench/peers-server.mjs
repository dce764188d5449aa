// One express 5 app, one handler, behind one idempotency layer (or none), for test/bench/peers.mjs.
// Forked with the variant name; answers IPC messages: 'cpu' -> process.cpuUsage(), 'close'.
//
// The handler (same for all): parse the JSON body (express.json()), create a payment with an id,
// answer 201 with Location and a JSON body. Variants:
//   bare                       no idempotency layer
//   idemaudit-memory|redis     expressIdempotency(createIdempotencyLayer({ store })) as route middleware
//   idemaudit-node-redis       the same on the Redis store with a node-redis client (the peers' client)
//   express-idempotency-memory|redis   idempotency() with its default in-memory adapter, or
//                              express-idempotency-redis-adapter; the handler checks isHit() as its README says
//   node-idempotency-memory|redis      @node-idempotency/core with its memory or Redis adapter, glued to
//                              express as its README describes (onRequest before, onResponse after)
//   powertools-memory|redis    @aws-lambda-powertools/idempotency makeIdempotent around the payment
//                              creation; Redis through its CachePersistenceLayer (node-redis client),
//                              memory through a Map-backed BasePersistenceLayer (it ships none)
import express from 'express';
import { createRequire } from 'node:module';
import { createIdempotencyLayer, createRedisStore, expressIdempotency, MemoryStore } from '../../dist/reference/index.js';
import { nodeIdempotency, nodeRedisClient, powertools } from './peer-cores.mjs';

const require = createRequire(import.meta.url);
const variant = process.argv[2];
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const PREFIX = process.env.BENCH_PREFIX || 'bench:';

let sequence = 0;
const createPayment = (body) => ({ id: `pay_${process.pid}_${++sequence}`, amount: body.amount, currency: body.currency, status: 'created' });
const send = (res, payment) => res.status(201).location(`/payments/${payment.id}`).json(payment);

const app = express();
app.use(express.json());
const closers = [];

async function setup() {
  switch (variant) {
    case 'bare':
      app.post('/payments', (req, res) => send(res, createPayment(req.body)));
      return;
    case 'idemaudit-memory':
    case 'idemaudit-redis':
    case 'idemaudit-node-redis': {
      let store;
      if (variant === 'idemaudit-node-redis') {
        const client = await nodeRedisClient(REDIS_URL);
        closers.push(() => client.quit());
        store = createRedisStore({ redis: client, prefix: PREFIX });
      } else {
        store = variant.endsWith('redis') ? createRedisStore({ url: REDIS_URL, prefix: PREFIX }) : new MemoryStore();
        closers.push(() => store.close());
      }
      const layer = createIdempotencyLayer({ store, scope: 'global' });
      app.post('/payments', expressIdempotency(layer), (req, res) => send(res, createPayment(req.body)));
      return;
    }
    case 'express-idempotency-memory':
    case 'express-idempotency-redis': {
      const { idempotency, getSharedIdempotencyService } = require('express-idempotency');
      let options = {};
      if (variant.endsWith('redis')) {
        const mod = await import('express-idempotency-redis-adapter');
        const Adapter = mod.default.default ?? mod.default;
        const adapter = new Adapter({ connectionConfig: { url: REDIS_URL } });
        await adapter.connect?.();
        closers.push(() => adapter.disconnect?.());
        options = { dataAdapter: adapter };
      }
      const service = () => getSharedIdempotencyService();
      app.post('/payments', idempotency(options), (req, res) => {
        if (service().isHit(req)) return;
        send(res, createPayment(req.body));
      });
      return;
    }
    case 'node-idempotency-memory':
    case 'node-idempotency-redis': {
      const { idem, close } = await nodeIdempotency({ redisUrl: variant.endsWith('redis') ? REDIS_URL : undefined, prefix: PREFIX });
      closers.push(close);
      // The express glue its README describes: onRequest before the controller, onResponse after it.
      const glue = async (req, res, next) => {
        const request = { method: req.method, headers: req.headers, body: req.body, path: req.path };
        let cached;
        try {
          cached = await idem.onRequest(request);
        } catch (error) {
          return res.status(error.code === 'REQUEST_IN_PROGRESS' ? 409 : 422).json({ error: error.code ?? String(error) });
        }
        if (cached) return res.status(cached.additional?.status ?? 200).json(cached.body);
        const json = res.json.bind(res);
        res.json = (body) => {
          idem.onResponse(request, { body, additional: { status: res.statusCode } }).catch(() => {});
          return json(body);
        };
        next();
      };
      app.post('/payments', glue, (req, res) => send(res, createPayment(req.body)));
      return;
    }
    case 'powertools-memory':
    case 'powertools-redis': {
      const { idempotent: idempotentCreate, close } = await powertools(async ({ body }) => createPayment(body), {
        redisUrl: variant.endsWith('redis') ? REDIS_URL : undefined,
      });
      closers.push(close);
      app.post('/payments', async (req, res) => {
        try {
          send(res, await idempotentCreate({ key: String(req.headers['idempotency-key']), body: req.body }));
        } catch (error) {
          res.status(error.name === 'IdempotencyAlreadyInProgressError' ? 409 : 500).json({ error: error.name });
        }
      });
      return;
    }
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

await setup();
const server = app.listen(0, '127.0.0.1', () => process.send({ type: 'ready', url: `http://127.0.0.1:${server.address().port}` }));
process.on('message', async (message) => {
  if (message.type === 'cpu') process.send({ type: 'cpu', usage: process.cpuUsage() });
  if (message.type === 'close') {
    server.close();
    server.closeAllConnections();
    for (const close of closers) await Promise.resolve(close()).catch(() => {});
    process.exit(0);
  }
});
