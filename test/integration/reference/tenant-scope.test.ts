// Scoping by the principal the app vouches for, on the real frameworks and the PostgreSQL store:
// the same user retrying with a refreshed token gets the replay (one payment, not two); another user
// reusing the key runs independently. Also the adapter contract on PostgreSQL for express and fastify.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request } from 'express';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdempotencyLayer, expressIdempotency, fastifyIdempotency, type IdempotencyStore } from '../../../src/reference/index.js';
import { HANDLER_DELAY_MS, assertAdapterContract, orderAnswer } from './adapter-harness.js';
import { freshKey, postgresBackendStore, post, sleep } from './helpers.js';

/** A JWT-shaped token for `sub`, different on every call (iat, jti): what a token refresh hands out. */
let issued = 0;
function tokenFor(sub: string): string {
  issued += 1;
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `Bearer ${part({ alg: 'none' })}.${part({ sub, iat: 1_700_000_000 + issued, jti: `t${issued}` })}.sig${issued}`;
}

/** The app's auth step (verification stubbed for the test): it sets req.auth.sub. */
function subjectOf(authorization: string | undefined): string | undefined {
  const payload = authorization?.replace(/^Bearer /, '').split('.')[1];
  return payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub?: string }).sub : undefined;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

type AuthedRequest = Request & { auth?: { sub: string } };

async function expressApp(store: IdempotencyStore) {
  const state = { executions: 0 };
  const app = express();
  app.use((req: AuthedRequest, res, next) => {
    const sub = subjectOf(req.headers.authorization);
    if (sub === undefined) return void res.status(401).end();
    req.auth = { sub };
    next();
  });
  const idempotency = expressIdempotency(createIdempotencyLayer({ store, tenantOf: (req) => (req.native as AuthedRequest).auth!.sub }));
  app.post('/orders', idempotency, async (req, res) => {
    await sleep(HANDLER_DELAY_MS);
    state.executions += 1;
    const { status, doc } = orderAnswer(state.executions, req.body);
    res.cookie('session', 'abc');
    res.status(status).location(`/orders/${doc.id}`).json(doc);
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, state };
}

async function fastifyApp(store: IdempotencyStore) {
  const state = { executions: 0 };
  const app: FastifyInstance = Fastify({ forceCloseConnections: true });
  app.decorateRequest('sub', '');
  app.addHook('onRequest', async (request, reply) => {
    const sub = subjectOf(request.headers.authorization);
    if (sub === undefined) return reply.code(401).send();
    (request as FastifyRequest & { sub: string }).sub = sub;
  });
  await app.register(fastifyIdempotency(createIdempotencyLayer({ store, tenantOf: (req) => (req.native as FastifyRequest & { sub: string }).sub })));
  app.post('/orders', async (request, reply) => {
    await sleep(HANDLER_DELAY_MS);
    state.executions += 1;
    const { status, doc } = orderAnswer(state.executions, request.body);
    reply.header('set-cookie', 'session=abc');
    reply.header('location', `/orders/${doc.id}`);
    return reply.code(status).send(doc);
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => app.close());
  return { url, state };
}

const APPS = [
  { name: 'express', start: expressApp },
  { name: 'fastify', start: fastifyApp },
];

describe.each(APPS)('tenantOf on $name with the PostgreSQL store', ({ start }) => {
  it('the same user with a refreshed token gets the replay, not a second execution', async () => {
    const { url, state } = await start(await postgresBackendStore());
    const key = freshKey('refresh');
    const order = { sku: 'book', qty: 1 };
    const first = await post(url, '/orders', order, { key, auth: tokenFor('user-42') });
    const refreshed = tokenFor('user-42');
    const retry = await post(url, '/orders', order, { key, auth: refreshed });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.equals(first.body)).toBe(true);
    expect(state.executions).toBe(1);
  });

  it('another user reusing the key runs independently and never sees the first response', async () => {
    const { url, state } = await start(await postgresBackendStore());
    const key = freshKey('other-user');
    const order = { sku: 'book', qty: 1 };
    const first = await post(url, '/orders', order, { key, auth: tokenFor('user-1') });
    const other = await post(url, '/orders', order, { key, auth: tokenFor('user-2') });
    expect(other.status).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(other.json.id).not.toBe(first.json.id);
    expect(state.executions).toBe(2);
  });

  it('meets the adapter contract on PostgreSQL', async () => {
    const { url, state } = await start(await postgresBackendStore());
    const auth = tokenFor('contract-user');
    await assertAdapterContract(url, () => state.executions, { auth });
  });
});
