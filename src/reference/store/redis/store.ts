// IdempotencyStore on Redis (standalone or Cluster) through ioredis, or through a node-redis client the
// application passes in. Each operation is one Lua script (one round trip), atomic on one hash per key:
//
//   <prefix>{<key>}  hash  state        'in-flight' | 'completed'
//                          fingerprint  request fingerprint
//                          token        claim token (in flight only)
//                          status       HTTP status (completed only)
//                          headers      JSON object of the allow-listed headers (completed only)
//                          body         body bytes, base64 (completed only)
//                    PEXPIRE = lease while in flight (none when leaseMs is 0; renewed by extend()),
//                              retention once completed.
import { ReferenceConfigError } from '../../config-error.js';
import { randomUUID } from 'node:crypto';
import type { Cluster, ClusterNode, Redis, RedisOptions } from 'ioredis';
import { leaseMillis, retentionMillis } from '../ttl.js';
import { StoreUnavailableError } from '../types.js';
import type { BeginOptions, BeginResult, IdempotencyStore, StoredResponse } from '../types.js';
import { MAX_TIMER_MS } from '../deadline.js';
import { createClient, DEFAULT_TIMEOUT_MS } from './connection.js';
import { storeUnavailable, withDeadline } from './errors.js';
import { recordKey, redisText } from './keys.js';
import { bindNodeRedisScripts, bindScripts, isNodeRedisClient } from './scripts.js';
import type { BoundScripts, NodeRedisClient, ScriptCall } from './scripts.js';

/** The clients the store runs on: ioredis (Redis, Cluster), or a node-redis client passed in. */
export type RedisStoreClient = Redis | Cluster | NodeRedisClient;

export interface RedisStoreOptions {
  /** An ioredis client to use (not closed by close()); its own timeout and retry settings apply. Excludes `url`, `cluster`, `redisOptions`. */
  redis?: Redis | Cluster;
  /** Where to connect when no client is given; default redis://127.0.0.1:6379. */
  url?: string;
  /** Namespace of every record key; default 'idem:'. */
  prefix?: string;
  /** Connect to a Redis Cluster: true discovers it from `url`, an array gives the startup nodes. */
  cluster?: boolean | ClusterNode[];
  /** Upper bound on waiting for Redis, in ms (command and connect timeout of created clients); default 1000. */
  timeoutMs?: number;
  /** Extra ioredis options for the client the store creates. */
  redisOptions?: RedisOptions;
}

/**
 * The store on a node-redis client the application passes in (not closed by close()): a connected
 * createClient() with disableOfflineQueue: true (a createCluster() is refused), every call bounded
 * by `timeoutMs`.
 */
export type NodeRedisStoreOptions = Omit<RedisStoreOptions, 'redis'> & { redis: NodeRedisClient };

export const DEFAULT_PREFIX = 'idem:';
const CLOSE_TIMEOUT_MS = 1000;

type Lookup = BeginResult | { kind: 'absent' };

function corrupt(key: string, detail: string): StoreUnavailableError {
  return new StoreUnavailableError(`Redis store: unreadable record for key ${JSON.stringify(key)}: ${detail}`);
}

function parseHeaders(json: unknown): Record<string, string> | undefined {
  if (typeof json !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  return entries.every(([, v]) => typeof v === 'string') ? (value as Record<string, string>) : undefined;
}

/** Decodes the reply shared by begin-1.lua and lookup-1.lua (see their headers); 'new' is handled by begin(). */
function parseReply(key: string, reply: unknown): Lookup {
  if (!Array.isArray(reply)) throw corrupt(key, 'the script did not answer with an array');
  switch (reply[0]) {
    case 'in-flight':
      return { kind: 'in-flight' };
    case 'mismatch':
      return { kind: 'mismatch' };
    case 'absent':
      return { kind: 'absent' };
    case 'completed': {
      const [, status, headersJson, body] = reply as unknown[];
      const code = typeof status === 'string' && /^\d+$/.test(status) ? Number(status) : Number.NaN;
      const headers = parseHeaders(headersJson);
      if (!Number.isInteger(code) || headers === undefined || typeof body !== 'string') {
        throw corrupt(key, 'the completed response is incomplete');
      }
      return { kind: 'completed', response: { status: code, headers, bodyBase64: body } };
    }
    default:
      throw corrupt(key, `unknown answer ${JSON.stringify(reply[0])}`);
  }
}

/**
 * A node-redis client must not queue commands while disconnected: a claim queued during an outage
 * would be answered 503 at the deadline and still run on reconnect, leaving its key in flight until
 * the lease ends (and the queue grows without bound meanwhile). A legacy-mode client answers through
 * callbacks, not promises. Both are refused at construction, and so is a node-redis cluster.
 */
function checkNodeRedisClient(client: NodeRedisClient): void {
  if ('masters' in client) {
    // node-redis v4 picks a cluster node for EVALSHA by the wrong argument (the sha1, not the keys):
    // a few percent of calls land on a random master and fail with MOVED.
    throw new ReferenceConfigError(
      'Redis store: a node-redis cluster client is not supported (it routes EVALSHA to random nodes); use an ioredis Cluster, or cluster: true with url',
    );
  }
  const options = (client as { options?: { disableOfflineQueue?: unknown; legacyMode?: unknown } }).options;
  if (options?.legacyMode === true) {
    throw new ReferenceConfigError(
      'Redis store: a node-redis client in legacyMode answers through callbacks; pass client.duplicate({ legacyMode: false, disableOfflineQueue: true })',
    );
  }
  // Unreadable options (a legacy client's `v4` object, a client created without options) count as
  // the default: the offline queue on.
  if (options?.disableOfflineQueue !== true) {
    throw new ReferenceConfigError(
      'Redis store: create the node-redis client with disableOfflineQueue: true (with the offline queue on, a claim sent while Redis is down runs when it comes back, after its request was answered 503)',
    );
  }
}

/** An integer reply 1 or 0 (number, numeric string or bigint, whichever reply types the client maps to). */
function flag(key: string, reply: unknown): boolean {
  if (reply === 1 || reply === '1' || reply === 1n) return true;
  if (reply === 0 || reply === '0' || reply === 0n) return false;
  throw corrupt(key, `expected 1 or 0, got ${typeof reply} ${JSON.stringify(String(reply)).slice(0, 40)}`);
}

/** C: the client type, ioredis unless a node-redis client was passed in (so `client` keeps its type). */
export class RedisStore<C extends RedisStoreClient = Redis | Cluster> implements IdempotencyStore {
  readonly name: string;
  readonly callTimeoutMs: number;
  readonly prefix: string;
  /** The client in use (for introspection and tests). */
  readonly client: C;
  readonly #owned: boolean;
  readonly #scripts: BoundScripts;
  /** Our own deadline per command, for clients that could otherwise queue a command indefinitely; 0 = none. */
  readonly #deadlineMs: number;
  #closed = false;

  constructor(options: (RedisStoreOptions | NodeRedisStoreOptions) & { redis?: C } = {}) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(timeoutMs > 0) || timeoutMs > MAX_TIMER_MS) {
      throw new ReferenceConfigError(`Redis store: timeoutMs must be a positive number of ms up to ${MAX_TIMER_MS}, got ${timeoutMs}`);
    }
    if (options.redis && (options.url !== undefined || options.cluster !== undefined || options.redisOptions !== undefined)) {
      throw new ReferenceConfigError('Redis store: pass either a client (redis) or connection options (url, cluster, redisOptions), not both');
    }
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    if (/[{}]/.test(this.prefix)) {
      throw new ReferenceConfigError(`Redis store: the prefix must not contain braces (the key is the Cluster hash tag), got ${JSON.stringify(this.prefix)}`);
    }
    this.#owned = options.redis === undefined;
    const connection: Parameters<typeof createClient>[0] = { timeoutMs };
    if (options.url !== undefined) connection.url = options.url;
    if (options.cluster !== undefined) connection.cluster = options.cluster;
    if (options.redisOptions !== undefined) connection.redisOptions = options.redisOptions;
    const client = options.redis ?? createClient(connection);
    this.client = client as C;
    let ownTimeout: unknown;
    if (isNodeRedisClient(client)) {
      // node-redis (less client CPU per command than ioredis, test/bench/peers-core.mjs) has no
      // per-command timeout for a command already sent: our deadline bounds every call.
      checkNodeRedisClient(client);
      this.name = 'redis';
      this.#deadlineMs = timeoutMs;
      this.#scripts = bindNodeRedisScripts(client);
    } else {
      this.name = client.isCluster ? 'redis-cluster' : 'redis';
      // A Cluster keeps commands issued while it has no usable node in a queue without a timeout, and
      // a standalone client without commandTimeout may retry for a long time: bound both ourselves.
      ownTimeout = (client as Redis).options?.commandTimeout;
      this.#deadlineMs = client.isCluster || typeof ownTimeout !== 'number' ? timeoutMs : 0;
      this.#scripts = bindScripts(client);
    }
    // Bounded either by our deadline or by the client's commandTimeout per command; a script call may
    // be two commands (EVALSHA, then EVAL on NOSCRIPT), hence twice the client's own bound.
    this.callTimeoutMs = this.#deadlineMs > 0 ? this.#deadlineMs : 2 * (ownTimeout as number);
  }

  /** One command, bounded by our deadline when we keep one; every failure a StoreUnavailableError. */
  #run<T>(operation: string, send: (call: ScriptCall) => Promise<T>): Promise<T> {
    const call: ScriptCall = { late: false };
    let pending: Promise<T>;
    try {
      pending = send(call);
    } catch (error) {
      return Promise.reject(storeUnavailable(operation, error));
    }
    // Not an async function: a promise and a tick fewer per command.
    const bounded =
      this.#deadlineMs > 0
        ? withDeadline(pending, this.#deadlineMs, operation, () => {
            call.late = true;
          })
        : pending;
    return bounded.catch((error: unknown) => {
      throw storeUnavailable(operation, error);
    });
  }

  async begin(key: string, fingerprint: string, opts: BeginOptions): Promise<BeginResult> {
    const token = randomUUID();
    const lease = leaseMillis(opts.leaseMs);
    const reply = await this.#run('begin', (call) => this.#scripts.begin(call, recordKey(this.prefix, key), redisText(fingerprint), token, lease));
    if (Array.isArray(reply) && reply[0] === 'new') return { kind: 'new', token };
    const result = parseReply(key, reply);
    if (result.kind === 'absent') throw corrupt(key, 'begin answered absent');
    return result;
  }

  async lookup(key: string, fingerprint: string): Promise<Lookup> {
    const reply = await this.#run('lookup', (call) => this.#scripts.lookup(call, recordKey(this.prefix, key), redisText(fingerprint)));
    return parseReply(key, reply);
  }

  async complete(key: string, token: string, response: StoredResponse, retentionMs: number): Promise<boolean> {
    const reply = await this.#run('complete', (call) =>
      this.#scripts.complete(
        call,
        recordKey(this.prefix, key),
        token,
        String(response.status),
        JSON.stringify(response.headers),
        response.bodyBase64,
        retentionMillis(retentionMs),
      ),
    );
    return flag(key, reply);
  }

  async release(key: string, token: string): Promise<boolean> {
    const reply = await this.#run('release', (call) => this.#scripts.release(call, recordKey(this.prefix, key), token));
    return flag(key, reply);
  }

  async extend(key: string, token: string, leaseMs: number): Promise<boolean> {
    const reply = await this.#run('extend', (call) => this.#scripts.extend(call, recordKey(this.prefix, key), token, leaseMillis(leaseMs)));
    return flag(key, reply);
  }

  async forget(key: string): Promise<void> {
    const record = recordKey(this.prefix, key);
    const client: RedisStoreClient = this.client;
    // The same call on either client; the narrowing only tells TypeScript which signature applies.
    await this.#run('forget', () => (isNodeRedisClient(client) ? client.del(record) : client.del(record)));
  }

  /** Quits the connection the store created; a client passed in stays open (its owner closes it). */
  async close(): Promise<void> {
    if (!this.#owned || this.#closed) return;
    this.#closed = true;
    // Only a client the store created is closed here, and it creates ioredis ones.
    const client = this.client as Redis | Cluster;
    if (client.status !== 'ready') {
      client.disconnect();
      return;
    }
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    try {
      await withDeadline(
        client.quit().then(() => ended),
        CLOSE_TIMEOUT_MS,
        'quit',
      );
    } catch {
      client.disconnect();
    }
  }
}

/** A Redis-backed IdempotencyStore; see RedisStoreOptions. */
export function createRedisStore(options: NodeRedisStoreOptions): RedisStore<NodeRedisClient>;
export function createRedisStore(options?: RedisStoreOptions): RedisStore;
export function createRedisStore(options: RedisStoreOptions | NodeRedisStoreOptions = {}): RedisStore<RedisStoreClient> {
  return new RedisStore<RedisStoreClient>(options);
}
