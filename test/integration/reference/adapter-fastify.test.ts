import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore, createIdempotencyLayer, fastifyIdempotency } from '../../../src/reference/index.js';
import { HANDLER_DELAY_MS, assertAdapterContract, orderAnswer } from './adapter-harness.js';
import { freshKey, post, sleep } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start() {
  const state = { executions: 0 };
  app = Fastify({ forceCloseConnections: true });
  await app.register(fastifyIdempotency(createIdempotencyLayer({ store: new MemoryStore(), scope: 'global' })));
  app.post('/orders', async (request, reply) => {
    await sleep(HANDLER_DELAY_MS);
    state.executions += 1;
    const { status, doc } = orderAnswer(state.executions, request.body);
    reply.header('set-cookie', 'session=abc');
    reply.header('location', `/orders/${doc.id}`);
    return reply.code(status).send(doc);
  });
  app.post('/explode', async () => {
    throw new Error('boom');
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, state };
}

describe('fastifyIdempotency', () => {
  it('meets the adapter contract', async () => {
    const { url, state } = await start();
    await assertAdapterContract(url, () => state.executions);
  });

  it('does not store a thrown error (500): the retry runs again', async () => {
    const { url } = await start();
    const key = freshKey();
    expect((await post(url, '/explode', { a: 1 }, { key })).status).toBe(500);
    const again = await post(url, '/explode', { a: 1 }, { key });
    expect(again.status).toBe(500);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });
});
