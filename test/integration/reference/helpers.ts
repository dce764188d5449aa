// Shared helpers for the reference-server integration tests: real sockets on 127.0.0.1, port 0.
import { request } from 'undici';
import { afterEach } from 'vitest';
import { startReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../../../src/demo/index.js';
import { createRedisStore } from '../../../src/reference/store/redis/index.js';
import { StoreUnavailableError, type IdempotencyStore } from '../../../src/reference/store/types.js';
import { SHARED_REDIS_URL, deleteKeysByPrefix, requireRedis, uniquePrefix } from '../../helpers/redis.js';

const running: ReferenceServer[] = [];
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
  // Stores passed in outlive their servers: close them only once no server uses them.
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Runs after this test's servers are closed. */
export function onCleanup(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

export interface Backend {
  name: string;
  /** undefined: the server's default MemoryStore. */
  store(): Promise<IdempotencyStore | undefined>;
}

/** The stores the flaw and layer suites run on: each flaw must misbehave the same way on any store. */
export const BACKENDS: Backend[] = [
  { name: 'memory', store: async () => undefined },
  {
    name: 'redis',
    store: async () => {
      await requireRedis();
      const store = createRedisStore({ url: SHARED_REDIS_URL, prefix: uniquePrefix('reference') });
      onCleanup(async () => {
        await deleteKeysByPrefix(store.client, store.prefix);
        await store.close();
      });
      return store;
    },
  },
];

export async function startServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const server = await startReferenceServer({ processingMs: 0, ...options });
  running.push(server);
  return server;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json: any;
}

export interface SendOptions {
  /** Sent quoted, as an sf-string. */
  key?: string;
  /** Sent verbatim as the Idempotency-Key value. */
  rawKey?: string;
  auth?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function send(base: string, method: string, path: string, body?: unknown, options: SendOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.key !== undefined) headers['idempotency-key'] = `"${options.key}"`;
  if (options.rawKey !== undefined) headers['idempotency-key'] = options.rawKey;
  if (options.auth !== undefined) headers.authorization = options.auth;
  const res = await request(`${base}${path}`, {
    method: method as 'POST',
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: options.signal,
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, body: bytes, json };
}

export const post = (base: string, path: string, body: unknown, options: SendOptions = {}) => send(base, 'POST', path, body, options);

export async function ledgerCount(base: string, key: string): Promise<number> {
  const answer = await send(base, 'GET', `/_idemaudit/ledger?key=${encodeURIComponent(key)}`);
  return (answer.json as { executions: unknown[] }).executions.length;
}

let counter = 0;
/** A fresh key per test step, so tests never see each other's state. */
export function freshKey(label = 'k'): string {
  counter += 1;
  return `${label}-${process.pid}-${Date.now()}-${counter}`;
}

export const PAYMENT = { amount: 1000, currency: 'EUR' };

/** A store whose backing service is down: every call rejects. */
export class FailingStore implements IdempotencyStore {
  readonly name = 'failing';
  calls = 0;
  #fail(): Promise<never> {
    this.calls += 1;
    return Promise.reject(new StoreUnavailableError('connection refused (simulated)'));
  }
  begin() {
    return this.#fail();
  }
  lookup() {
    return this.#fail();
  }
  complete() {
    return this.#fail();
  }
  release() {
    return this.#fail();
  }
  forget() {
    return this.#fail();
  }
  async close() {}
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
