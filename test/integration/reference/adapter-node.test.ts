import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore, createIdempotencyLayer, wrapNodeHandler } from '../../../src/reference/index.js';
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

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('wrapNodeHandler', () => {
  it('meets the adapter contract with a plain node:http handler', async () => {
    let executions = 0;
    const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global' });
    const url = await listen(
      wrapNodeHandler(layer, async (_req, res, { body }) => {
        await sleep(HANDLER_DELAY_MS);
        executions += 1;
        const { status, doc } = orderAnswer(executions, JSON.parse(body.toString()));
        // writeHead with headers, then write + end: the capture must see all of it.
        res.setHeader('set-cookie', 'session=abc');
        res.writeHead(status, { 'content-type': 'application/json', location: `/orders/${doc.id}` });
        const text = JSON.stringify(doc);
        res.write(text.slice(0, 5));
        res.end(text.slice(5));
      }),
    );
    await assertAdapterContract(url, () => executions);
  });

  it('turns a throwing handler into a 500 problem and releases the key', async () => {
    let calls = 0;
    const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global' });
    const url = await listen(
      wrapNodeHandler(layer, () => {
        calls += 1;
        throw new Error('boom');
      }),
    );
    const key = freshKey();
    const first = await post(url, '/orders', { a: 1 }, { key });
    expect(first.status).toBe(500);
    expect(first.headers['content-type']).toBe('application/problem+json');
    expect((await post(url, '/orders', { a: 1 }, { key })).status).toBe(500);
    expect(calls).toBe(2);
  });

  it('refuses bodies over maxBodyBytes with 413', async () => {
    const layer = createIdempotencyLayer({ store: new MemoryStore(), scope: 'global', maxBodyBytes: 16 });
    const url = await listen(wrapNodeHandler(layer, (_req, res) => res.end('ok')));
    const answer = await post(url, '/orders', { padding: 'x'.repeat(64) }, { key: freshKey() });
    expect(answer.status).toBe(413);
  });
});
