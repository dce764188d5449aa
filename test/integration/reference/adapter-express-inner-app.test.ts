import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore, createIdempotencyLayer, expressIdempotency } from '../../../src/reference/index.js';
import { freshKey, post } from './helpers.js';

let server: Server | undefined;
afterEach(async () => {
  if (!server) return;
  const closing = new Promise((resolve) => server!.close(resolve));
  server.closeAllConnections();
  await closing;
  server = undefined;
});

describe('expressIdempotency in front of another Express app called directly (vhost-style, not mounted)', () => {
  it('captures the inner app answer: stored once, replayed, never sent around the layer', async () => {
    // The inner app is called as a plain handler (as vhost() does): Express switches the response's
    // prototype to the inner app's own, which does not inherit from the outer app's.
    const inner = express();
    let executions = 0;
    inner.post('/orders', (_req, res) => {
      executions += 1;
      res.status(201).json({ n: executions });
    });
    const outer = express();
    outer.use(expressIdempotency(createIdempotencyLayer({ store: new MemoryStore(), scope: 'global' })));
    outer.use((req, res, next) => {
      (inner as unknown as (a: unknown, b: unknown, c: unknown) => void)(req, res, next);
    });
    server = outer.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server!.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const key = freshKey();
    const first = await post(url, '/orders', { a: 1 }, { key });
    const replay = await post(url, '/orders', { a: 1 }, { key });
    expect([first.status, first.json]).toEqual([201, { n: 1 }]);
    expect([replay.status, replay.json, replay.headers['idempotent-replayed']]).toEqual([201, { n: 1 }, 'true']);
    expect(executions).toBe(1);
  });
});

describe('expressIdempotency before a middleware that patches the response (compression-like)', () => {
  it('answers once, with the bytes the wrapper made, and replays them', async () => {
    // Like compression: placed after the layer, it patches res.end on the object during the capture,
    // transforms the body, and ignores any end() after the first.
    const app = express();
    let executions = 0;
    app.use(expressIdempotency(createIdempotencyLayer({ store: new MemoryStore(), scope: 'global' })));
    app.use((_req, res, next) => {
      const end = res.end.bind(res) as (chunk?: unknown) => unknown;
      let ended = false;
      (res as unknown as { end: (chunk?: unknown) => unknown }).end = (chunk?: unknown) => {
        if (ended) return false;
        ended = true;
        return end(
          chunk === undefined
            ? chunk
            : Buffer.from(chunk as Uint8Array | string)
                .toString('utf8')
                .toUpperCase(),
        );
      };
      next();
    });
    app.post('/orders', (_req, res) => {
      executions += 1;
      res.status(201).type('text/plain').send(`n${executions}`);
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server!.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const key = freshKey();
    const first = await post(url, '/orders', { a: 1 }, { key });
    const replay = await post(url, '/orders', { a: 1 }, { key });
    expect([first.status, first.body.toString()]).toEqual([201, 'N1']);
    expect([replay.status, replay.body.toString(), replay.headers['idempotent-replayed']]).toEqual([201, 'N1', 'true']);
    expect(executions).toBe(1);
  });
});
