// The idempotency cores of the peer packages, wired as their READMEs describe, for the benchmarks
// that put them beside the reference layer (peers-server.mjs over HTTP, peers-core.mjs without).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** @node-idempotency/core with its memory or Redis adapter; returns { idem, close }. */
export async function nodeIdempotency({ redisUrl, prefix }) {
  const { Idempotency } = require('@node-idempotency/core');
  let storage;
  if (redisUrl) {
    const { RedisStorageAdapter } = require('@node-idempotency/storage-adapter-redis');
    storage = new RedisStorageAdapter({ url: redisUrl });
    await storage.connect();
  } else {
    const { MemoryStorageAdapter } = require('@node-idempotency/storage-adapter-memory');
    storage = new MemoryStorageAdapter();
  }
  return { idem: new Idempotency(storage, { cacheKeyPrefix: prefix }), close: () => storage.disconnect?.() };
}

/** A connected node-redis (v4) client, the one the peers' Redis adapters use (offline queue off, as the store requires). */
export async function nodeRedisClient(url) {
  const { createClient } = require('redis');
  const client = createClient({ url, disableOfflineQueue: true });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * @aws-lambda-powertools/idempotency's makeIdempotent around `fn({ key, body })`: Redis through its
 * CachePersistenceLayer (node-redis client); memory through a Map-backed BasePersistenceLayer (it
 * ships none). Returns { idempotent, close }.
 */
export async function powertools(fn, { redisUrl }) {
  const { makeIdempotent, IdempotencyConfig, IdempotencyItemAlreadyExistsError } = await import('@aws-lambda-powertools/idempotency');
  let persistenceStore;
  let close = () => {};
  if (redisUrl) {
    const { CachePersistenceLayer } = await import('@aws-lambda-powertools/idempotency/cache');
    const client = await nodeRedisClient(redisUrl);
    close = () => client.quit();
    persistenceStore = new CachePersistenceLayer({ client });
  } else {
    const { BasePersistenceLayer } = await import('@aws-lambda-powertools/idempotency/persistence');
    class MapPersistenceLayer extends BasePersistenceLayer {
      records = new Map();
      async _getRecord(key) {
        const record = this.records.get(key);
        if (!record) throw new Error(`no record for ${key}`);
        return record;
      }
      async _putRecord(record) {
        const existing = this.records.get(record.idempotencyKey);
        if (existing && !existing.isExpired()) throw new IdempotencyItemAlreadyExistsError(`${record.idempotencyKey} exists`, existing);
        this.records.set(record.idempotencyKey, record);
      }
      async _updateRecord(record) {
        this.records.set(record.idempotencyKey, record);
      }
      async _deleteRecord(record) {
        this.records.delete(record.idempotencyKey);
      }
    }
    persistenceStore = new MapPersistenceLayer();
  }
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', throwOnNoIdempotencyKey: true });
  // Outside Lambda there is no context: give it one, or it warns on every call.
  config.registerLambdaContext({ getRemainingTimeInMillis: () => 30_000 });
  return { idempotent: makeIdempotent(fn, { persistenceStore, config }), close };
}
