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
});
