// IdempotencyStore on PostgreSQL through node-postgres (pg). Schema: migrations/001_idempotency_keys.sql
// (applied on first use unless `migrate: false`). Each operation is one statement (sql.ts), fenced by
// the claim's lease token; begin() is one round trip except right after a concurrent first claim of
// the same key (then one lookup more).
//
// Exactly-once completion: a handler whose side effects live in the same database completes its key
// in its own transaction with completeInTransaction(tx, response): the business commit and the key's
// completion are then one commit, and a stale holder (lease expired, key re-claimed) finds its token
// refused and must roll back.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import type { Pool, PoolConfig } from 'pg';
import { activeClaim } from '../../layer/active-claim.js';
import type { ResponseEnvelope } from '../../layer/types.js';
import { KEEP_FOREVER, leaseMillis, retentionMillis } from '../ttl.js';
import { StoreUnavailableError } from '../types.js';
import type { BeginOptions, BeginResult, IdempotencyStore, StoredResponse } from '../types.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { migrate, type Queryable } from './migrate.js';
import { statements, type Statements } from './sql.js';
import { pgText, rowAddress } from './text.js';

export interface PostgresStoreOptions {
  /** A pool to use (not closed by close()). Excludes `connectionString` and `poolConfig`. */
  pool?: Pool;
  /** Where to connect when no pool is given, e.g. postgres://user@127.0.0.1:5432/app. Default: pg's PG* environment variables. */
  connectionString?: string;
  /** Extra pg Pool options for the pool the store creates (max connections, ssl, ...). */
  poolConfig?: PoolConfig;
  /** Schema holding the table; created by the migrations if missing. Default 'idempotency'. */
  schema?: string;
  /** Apply pending migrations on first use. Default true; false if you run migrations/*.sql with your own tool. */
  migrate?: boolean;
  /** Upper bound on waiting for PostgreSQL per statement and per connect, in ms. Default 1000. */
  timeoutMs?: number;
  /** Purge expired rows every this many ms in this process (unref'd timer); 0 = never. Default 60000. */
  purgeIntervalMs?: number;
  /** Rows deleted per purge statement. Default 1000. */
  purgeBatchSize?: number;
  /** Most batches per purge run (bounds one run's work). Default 100. */
  purgeMaxBatches?: number;
  /** Shown in lease_owner. Default `<hostname>:<pid>`. */
  owner?: string;
}

export const POSTGRES_DEFAULTS = {
  schema: 'idempotency',
  timeoutMs: 1000,
  purgeIntervalMs: 60_000,
  purgeBatchSize: 1000,
  purgeMaxBatches: 100,
};

/** Rows and bytes of live keys for one route and status (storage growth per endpoint). */
export interface RouteStorage {
  route: string;
  status: 'in_progress' | 'completed';
  keys: number;
  bytes: number;
}

export interface PurgeResult {
  deleted: number;
  batches: number;
  /** True when the run stopped at purgeMaxBatches with expired rows possibly left. */
  truncated: boolean;
}

/** Thrown by completeInTransaction when the claim no longer owns its key: roll the transaction back. */
export class ClaimLostError extends Error {
  override readonly name = 'ClaimLostError';
  readonly code = 'IDEMPOTENCY_CLAIM_LOST';
}

/** Thrown by completeInTransaction outside a handler running under a claim (a usage error). */
export class NoActiveClaimError extends Error {
  override readonly name = 'NoActiveClaimError';
  readonly code = 'IDEMPOTENCY_NO_ACTIVE_CLAIM';
}

type Lookup = BeginResult | { kind: 'absent' };
type Row = { status: string; same: boolean; token?: string | null; response: Buffer | null };

const TOKEN = /^\d{1,19}$/;
/** A claim racing a concurrent first insert asks again; more rounds than this means something else is wrong. */
const BEGIN_ATTEMPTS = 4;

const names = new Map<string, string>();
/** A prepared-statement name per distinct text (the texts differ per schema). */
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `idem_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

function positiveInteger(name: string, value: number, allowZero = false): number {
  if (!Number.isInteger(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TypeError(`PostgreSQL store: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${value}`);
  }
  return value;
}

function unavailable(operation: string, error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`PostgreSQL store: ${operation} failed: ${reason}`, { cause: error });
}

export class PostgresStore implements IdempotencyStore {
  readonly name = 'postgres';
  readonly schema: string;
  readonly pool: Pool;
  readonly #owned: boolean;
  readonly #sql: Statements;
  readonly #owner: string;
  readonly #migrate: boolean;
  readonly #purgeBatchSize: number;
  readonly #purgeMaxBatches: number;
  #ready: Promise<void> | undefined;
  #purgeTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: PostgresStoreOptions = {}) {
    if (options.pool && (options.connectionString !== undefined || options.poolConfig !== undefined)) {
      throw new TypeError('PostgreSQL store: pass either a pool or connection options (connectionString, poolConfig), not both');
    }
    const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs ?? POSTGRES_DEFAULTS.timeoutMs);
    const purgeIntervalMs = positiveInteger('purgeIntervalMs', options.purgeIntervalMs ?? POSTGRES_DEFAULTS.purgeIntervalMs, true);
    this.#purgeBatchSize = positiveInteger('purgeBatchSize', options.purgeBatchSize ?? POSTGRES_DEFAULTS.purgeBatchSize);
    this.#purgeMaxBatches = positiveInteger('purgeMaxBatches', options.purgeMaxBatches ?? POSTGRES_DEFAULTS.purgeMaxBatches);
    this.schema = options.schema ?? POSTGRES_DEFAULTS.schema;
    this.#sql = statements(this.schema);
    this.#owner = options.owner ?? `${hostname()}:${process.pid}`;
    this.#migrate = options.migrate ?? true;
    this.#owned = options.pool === undefined;
    this.pool =
      options.pool ??
      new pg.Pool({
        keepAlive: true,
        connectionTimeoutMillis: timeoutMs,
        // Client-side: a statement unanswered within timeoutMs fails (fail closed) even when the
        // server cannot be reached to cancel it.
        query_timeout: timeoutMs,
        ...(options.connectionString !== undefined ? { connectionString: options.connectionString } : {}),
        ...options.poolConfig,
      });
    // An idle connection dropped by the server (restart, network cut) must not crash the process;
    // the pool discards it and the next checkout connects anew.
    if (this.#owned) this.pool.on('error', () => {});
    if (purgeIntervalMs > 0) {
      this.#purgeTimer = setInterval(() => {
        this.purgeExpired().catch(() => {});
      }, purgeIntervalMs);
      this.#purgeTimer.unref();
    }
  }

  /** Applies pending migrations once (retried on the next call if it failed). */
  ready(): Promise<void> {
    if (!this.#migrate) return Promise.resolve();
    this.#ready ??= (async () => {
      const client = await this.pool.connect();
      try {
        await migrate(client, this.schema);
      } finally {
        client.release();
      }
    })().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #query(operation: string, text: string, values: unknown[]): Promise<{ rows: Row[]; rowCount: number }> {
    try {
      if (this.#migrate) await this.ready();
      // Named: each pooled connection parses and plans a statement once, then only binds it.
      const result = await this.pool.query({ name: statementName(text), text, values });
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw unavailable(operation, error);
    }
  }

  #view(key: string, row: Row): BeginResult {
    if (!row.same) return { kind: 'mismatch' };
    if (row.status === 'in_progress') return { kind: 'in-flight' };
    if (row.status === 'completed' && row.response) return { kind: 'completed', response: decodeEnvelope(row.response, `key ${JSON.stringify(key)}`) };
    throw new StoreUnavailableError(`PostgreSQL store: unreadable row for key ${JSON.stringify(key)} (status ${row.status})`);
  }

  async begin(key: string, fingerprint: string, opts: BeginOptions): Promise<BeginResult> {
    const [scope, rowKey] = rowAddress(key);
    const fp = pgText(fingerprint);
    const lease = leaseMillis(opts.leaseMs);
    for (let attempt = 0; attempt < BEGIN_ATTEMPTS; attempt++) {
      const { rows } = await this.#query('begin', this.#sql.begin, [scope, rowKey, fp, lease, this.#owner, opts.route ?? null]);
      const row = rows[0];
      if (row?.status === 'new' && row.token) return { kind: 'new', token: row.token };
      if (row) return this.#view(key, row);
      // Nothing claimed and nothing visible: a concurrent claim inserted the row after this
      // statement's snapshot. Read it with a fresh snapshot; if it is gone again, claim again.
      const seen = await this.lookup(key, fingerprint);
      if (seen.kind !== 'absent') return seen;
    }
    throw new StoreUnavailableError(`PostgreSQL store: begin found key ${JSON.stringify(key)} neither claimable nor readable after ${BEGIN_ATTEMPTS} attempts`);
  }

  async lookup(key: string, fingerprint: string): Promise<Lookup> {
    const [scope, rowKey] = rowAddress(key);
    const { rows } = await this.#query('lookup', this.#sql.lookup, [scope, rowKey, pgText(fingerprint)]);
    const row = rows[0];
    return row ? this.#view(key, row) : { kind: 'absent' };
  }

  async complete(key: string, token: string, response: StoredResponse, retentionMs: number): Promise<boolean> {
    if (!TOKEN.test(token)) return false;
    const [scope, rowKey] = rowAddress(key);
    const retention = retentionMillis(retentionMs);
    const { rowCount } =
      retention === 0
        ? await this.#query('complete', this.#sql.dropCompleted, [scope, rowKey, token])
        : await this.#query('complete', this.#sql.complete, [scope, rowKey, token, encodeEnvelope(response), retention === KEEP_FOREVER ? -1 : retention]);
    return rowCount === 1;
  }

  async release(key: string, token: string): Promise<boolean> {
    if (!TOKEN.test(token)) return false;
    const [scope, rowKey] = rowAddress(key);
    return (await this.#query('release', this.#sql.release, [scope, rowKey, token])).rowCount === 1;
  }

  async extend(key: string, token: string, leaseMs: number): Promise<boolean> {
    if (!TOKEN.test(token)) return false;
    const [scope, rowKey] = rowAddress(key);
    return (await this.#query('extend', this.#sql.extend, [scope, rowKey, token, leaseMillis(leaseMs)])).rowCount === 1;
  }

  async forget(key: string): Promise<void> {
    const [scope, rowKey] = rowAddress(key);
    await this.#query('forget', this.#sql.forget, [scope, rowKey]);
  }

  /**
   * Completes the claim of the handler calling this inside `tx`, the handler's own open transaction
   * on this database: the key is completed if and only if the transaction commits. Throws
   * ClaimLostError when the claim no longer owns the key (lease expired, re-claimed): the caller
   * must roll back, so a stale holder's side effect never commits next to the new owner's.
   * `response` is what the handler will answer; store what you send.
   */
  async completeInTransaction(tx: Queryable, response: ResponseEnvelope): Promise<void> {
    const claim = activeClaim();
    if (claim === undefined) {
      throw new NoActiveClaimError(
        'completeInTransaction must be called from a handler the idempotency layer runs under a claim, with createIdempotencyLayer({ transactionalCompletion: true })',
      );
    }
    const [scope, rowKey] = rowAddress(claim.key);
    const retention = retentionMillis(claim.retentionMs);
    const result =
      retention === 0
        ? await tx.query(this.#sql.dropCompleted, [scope, rowKey, claim.token])
        : await tx.query(this.#sql.complete, [
            scope,
            rowKey,
            claim.token,
            encodeEnvelope(claim.toStored(response)),
            retention === KEEP_FOREVER ? -1 : retention,
          ]);
    if (result.rowCount !== 1) {
      throw new ClaimLostError('the idempotency claim no longer owns its key (lease expired or key re-claimed); roll the transaction back');
    }
    claim.completedInTransaction = true;
  }

  /** Deletes expired rows in batches of purgeBatchSize, at most purgeMaxBatches statements. */
  async purgeExpired(): Promise<PurgeResult> {
    let deleted = 0;
    let batches = 0;
    while (batches < this.#purgeMaxBatches) {
      const { rowCount } = await this.#query('purge', this.#sql.purgeBatch, [this.#purgeBatchSize]);
      batches += 1;
      deleted += rowCount;
      if (rowCount < this.#purgeBatchSize) return { deleted, batches, truncated: false };
    }
    return { deleted, batches, truncated: true };
  }

  /** Live keys and stored bytes per route and status. */
  async storageByRoute(): Promise<RouteStorage[]> {
    const { rows } = await this.#query('storage', this.#sql.storageByRoute, []);
    return (rows as unknown as { route: string; status: RouteStorage['status']; keys: string; bytes: string }[]).map((row) => ({
      route: row.route,
      status: row.status,
      keys: Number(row.keys),
      bytes: Number(row.bytes),
    }));
  }

  /** Stops the purge timer and ends the pool the store created; a pool passed in stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#purgeTimer);
    if (this.#owned) await this.pool.end().catch(() => {});
  }
}

export function createPostgresStore(options: PostgresStoreOptions = {}): PostgresStore {
  return new PostgresStore(options);
}
