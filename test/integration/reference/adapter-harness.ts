// The same four assertions for every adapter: executes once, replays identically with the marker,
// 422 on mismatch, 409 for a concurrent duplicate. Each framework test supplies a server URL whose
// POST /orders handler waits `HANDLER_DELAY_MS`, counts its executions and answers 201.
import { expect } from 'vitest';
import { freshKey, post, type SendOptions } from './helpers.js';

export const HANDLER_DELAY_MS = 150;

export function orderAnswer(executions: number, body: unknown) {
  return { status: 201, doc: { id: `ord_${executions}`, received: body } };
}

/** `extra` goes with every request (credentials, say). */
export async function assertAdapterContract(url: string, executions: () => number, extra: SendOptions = {}): Promise<void> {
  const key = freshKey('adapter');
  const order = { sku: 'book', qty: 2 };

  const before = executions();
  const first = await post(url, '/orders', order, { ...extra, key });
  expect(first.status).toBe(201);
  expect(first.json.received).toEqual(order);
  expect(first.headers.location).toBe(`/orders/${first.json.id}`);
  expect(first.headers['set-cookie']).toBeDefined();
  expect(first.headers['idempotent-replayed']).toBeUndefined();
  expect(executions()).toBe(before + 1);

  const replay = await post(url, '/orders', order, { ...extra, key });
  expect(replay.status).toBe(201);
  expect(replay.body.equals(first.body)).toBe(true);
  expect(replay.headers['idempotent-replayed']).toBe('true');
  expect(replay.headers.location).toBe(first.headers.location);
  expect(replay.headers['set-cookie']).toBeUndefined();
  expect(executions()).toBe(before + 1);

  const mismatch = await post(url, '/orders', { ...order, qty: 3 }, { ...extra, key });
  expect(mismatch.status).toBe(422);
  expect(mismatch.headers['content-type']).toBe('application/problem+json');
  expect(executions()).toBe(before + 1);

  const missing = await post(url, '/orders', order, extra);
  expect(missing.status).toBe(400);

  const concurrentKey = freshKey('adapter-concurrent');
  const pair = await Promise.all([
    post(url, '/orders', order, { ...extra, key: concurrentKey }),
    post(url, '/orders', order, { ...extra, key: concurrentKey }),
  ]);
  expect(pair.map((a) => a.status).sort()).toEqual([201, 409]);
  expect(executions()).toBe(before + 2);

  const unprotected = await post(url, '/orders', order, { ...extra, key: freshKey() }).then(() => executions());
  expect(unprotected).toBe(before + 3);
}
