import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore, createIdempotencyLayer, expressIdempotency } from '../../../src/reference/index.js';
import { HANDLER_DELAY_MS, assertAdapterContract, orderAnswer } from './adapter-harness.js';
import { freshKey, post, sleep } from './helpers.js';

let server: Server | undefined;
afterEach(async () => {
  if (!server) return;
  const closing = new Promise((resolve) => server!.close(resolve));
  server.closeAllConnections();
  await closing;
  server = undefined;
});

type Placement = 'no parser' | 'json parser before' | 'json parser after';

async function appWith(placement: Placement) {
  const state = { executions: 0 };
  const app = express();
  const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global' });
  if (placement === 'json parser before') app.use(express.json());
  app.use(expressIdempotency(layer));
  if (placement === 'json parser after') app.use(express.json());
  app.post('/orders', async (req, res) => {
    await sleep(HANDLER_DELAY_MS);
    state.executions += 1;
    const received = Buffer.isBuffer(req.body) ? JSON.parse(req.body.toString()) : req.body;
    const { status, doc } = orderAnswer(state.executions, received);
    res.cookie('session', 'abc');
    res.status(status).location(`/orders/${doc.id}`).json(doc);
  });
  app.post('/explode', () => {
    throw new Error('boom');
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server!.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, state };
}

describe('expressIdempotency', () => {
  for (const placement of ['no parser', 'json parser before', 'json parser after'] as const) {
    it(`meets the adapter contract (${placement})`, async () => {
      const { url, state } = await appWith(placement);
      await assertAdapterContract(url, () => state.executions);
    });
  }

  it('captures errors answered by Express error handling as 500 and releases the key', async () => {
    const { url } = await appWith('json parser before');
    const key = freshKey();
    const first = await post(url, '/explode', { a: 1 }, { key });
    expect(first.status).toBe(500);
    const again = await post(url, '/explode', { a: 1 }, { key });
    expect(again.status).toBe(500);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('captures through the app response prototype, and a wrapper patched on the response object still wraps the answer once', async () => {
    // A compression-like middleware before the layer: it patches res.write/res.end on the object
    // itself and rewrites what finally goes out (upper case here, same length). It must wrap the sent answer exactly once, on the
    // first execution and on the replay, and never end up inside the stored body.
    const app = express();
    let executions = 0;
    app.use('/wrapped', (_req, res, next) => {
      const end = res.end.bind(res) as (chunk?: unknown) => unknown;
      (res as unknown as { end: (chunk?: unknown) => unknown }).end = (chunk?: unknown) =>
        end(
          chunk === undefined
            ? chunk
            : Buffer.from(chunk as Uint8Array | string)
                .toString('utf8')
                .toUpperCase(),
        );
      next();
    });
    const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global' });
    app.post('/wrapped', expressIdempotency(layer), (_req, res) => {
      executions += 1;
      res.status(201).type('text/plain').send(`n${executions}`);
    });
    // And a plain route of the same app: captured through the prototype's switching methods.
    const patchedWhileCaptured: boolean[] = [];
    app.post('/plain', express.json(), expressIdempotency(layer), (req, res) => {
      // No per-response patching: the capture lives in the app's response prototype.
      patchedWhileCaptured.push(Object.hasOwn(res, 'end') || Object.hasOwn(res, 'write') || Object.hasOwn(res, 'writeHead'));
      executions += 1;
      res.status(201).json({ n: executions, got: req.body });
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server!.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const key = freshKey();
    const first = await post(url, '/wrapped', { a: 1 }, { key });
    const replay = await post(url, '/wrapped', { a: 1 }, { key });
    expect([first.status, first.body.toString()]).toEqual([201, 'N1']);
    expect([replay.status, replay.body.toString(), replay.headers['idempotent-replayed']]).toEqual([201, 'N1', 'true']);
    const plainKey = freshKey();
    const plain = await post(url, '/plain', { b: 2 }, { key: plainKey });
    const plainReplay = await post(url, '/plain', { b: 2 }, { key: plainKey });
    expect(plain.status).toBe(201);
    expect(plain.json).toEqual({ n: 2, got: { b: 2 } });
    expect(plainReplay.body.toString()).toBe(plain.body.toString());
    expect(executions).toBe(2);
    expect(patchedWhileCaptured).toEqual([false]);
    // Responses after a capture ended are written for real: an unkeyed GET of the same app.
    app.get('/after', (_req, res) => res.status(200).send('ok'));
    const after = await fetch(`${url}/after`);
    expect(await after.text()).toBe('ok');
  });
});
