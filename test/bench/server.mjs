// One server under benchmark, in its own process (so it has a core of its own), built from dist/.
// Forked by reference.mjs with the variant as argv[2]; talks over IPC:
//   -> { type: 'ready', url, variant }             once listening
//   <- { type: 'mark' }                              start of the measured window (CPU baseline)
//   -> { type: 'stats', cpuUs, executions, rss }     answer to { type: 'stats' }
//   <- { type: 'close' }                              close and exit (so --cpu-prof can write its file)
//
// Variants (all answer POST /payments with the same 201 JSON document):
//   static  minimal node:http: drain the body, answer a fixed 201 JSON (an upper bound for node:http)
//   bare    the reference demo app's handler (validation, ledger, ids, ETag) WITHOUT the idempotency
//           layer: startReferenceServer always installs the layer, so this composes the same parts
//           it does (read-body + createReferenceApp) minus the layer and its response capture
//   memory  startReferenceServer with its MemoryStore
//   redis   startReferenceServer with createRedisStore({ url: BENCH_REDIS_URL, prefix: BENCH_PREFIX })
import { createServer } from 'node:http';

const variant = process.argv[2];
const dist = new URL('../../dist/', import.meta.url);
const load = (path) => import(new URL(path, dist).href);
const RETENTION_MS = 10 * 60_000;

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function startStatic() {
  const body = Buffer.from(
    JSON.stringify({ id: 'pay_0123456789abcdef01234567', amount: 1000, currency: 'EUR', status: 'succeeded', created: new Date().toISOString() }),
  );
  const headers = {
    'content-type': 'application/json',
    location: '/payments/pay_0123456789abcdef01234567',
    etag: '"0123456789abcdef"',
    'content-length': String(body.length),
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(201, headers);
      res.end(body);
    });
  });
  const url = await listen(server);
  return { url, executions: () => undefined, close: () => closeServer(server) };
}

async function startBare() {
  const [{ createReferenceApp }, { readBody }, { Ledger }, { createReferenceMetrics }, context, clock] = await Promise.all([
    load('demo/app/routes.js'),
    load('reference/adapters/read-body.js'),
    load('demo/app/ledger.js'),
    load('reference/observability/metrics.js'),
    load('demo/app/context.js'),
    load('reference/layer/clock.js'),
  ]);
  const keyHeader = 'Idempotency-Key';
  const ledger = new Ledger();
  // The demo app only reads layer.settings.keyHeader (to file ledger entries under the key).
  const app = {
    layer: { settings: { keyHeader } },
    storeName: 'none',
    ledger,
    metrics: createReferenceMetrics(),
    processingMs: 0,
    abandonOnDisconnect: true,
    payments: new Map(),
    refunds: new Map(),
  };
  const handler = createReferenceApp(app);
  const server = createServer((req, res) => {
    readBody(req, 1024 * 1024).then(
      (received) => handler(req, res, received),
      () => res.destroy(),
    );
  });
  // Same arrival bookkeeping as startReferenceServer, when this build has it.
  if (typeof ledger.arrive === 'function' && typeof context.ledgerKeyOf === 'function' && typeof clock.preciseNow === 'function') {
    server.on('request', (req) => {
      const key = context.ledgerKeyOf(req, keyHeader);
      if (key !== null) req.once('end', () => ledger.arrive(key, clock.preciseNow()));
    });
  }
  const url = await listen(server);
  return { url, executions: () => ledger.summary().total, close: () => closeServer(server) };
}

async function startReference(storeKind) {
  const { startReferenceServer } = await load('demo/index.js');
  let store;
  if (storeKind === 'redis') {
    const { createRedisStore } = await load('reference/store/redis/index.js');
    store = createRedisStore({ url: process.env.BENCH_REDIS_URL, prefix: process.env.BENCH_PREFIX });
  }
  const server = await startReferenceServer({ admin: true, processingMs: 0, retentionMs: RETENTION_MS, ...(store ? { store } : {}) });
  return {
    url: server.url,
    executions: () => server.ledger.summary().total,
    close: async () => {
      await server.close();
      await store?.close();
    },
  };
}

const starters = { static: startStatic, bare: startBare, memory: () => startReference('memory'), redis: () => startReference('redis') };
if (!starters[variant]) {
  console.error(`unknown variant ${variant}; one of ${Object.keys(starters).join(', ')}`);
  process.exit(2);
}
const running = await starters[variant]();
let mark = process.cpuUsage();

process.on('message', async (message) => {
  switch (message?.type) {
    case 'mark':
      mark = process.cpuUsage();
      process.send({ type: 'marked' });
      break;
    case 'stats': {
      const cpu = process.cpuUsage(mark);
      process.send({ type: 'stats', cpuUs: cpu.user + cpu.system, executions: running.executions(), rss: process.memoryUsage().rss });
      break;
    }
    case 'close':
      await running.close();
      process.exit(0);
  }
});
// Never outlive the bench (it may die without sending close).
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', url: running.url, variant });
