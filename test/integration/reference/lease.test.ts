// A lease shorter than the handler's run: the layer's heartbeat keeps the claim, so a duplicate sent
// while the original still works gets 409 instead of executing a second time (memory and Redis).
import { describe, expect, it } from 'vitest';
import { BACKENDS, PAYMENT, freshKey, ledgerCount, post, sleep, startServer } from './helpers.js';

// Wide enough margins that a starved event loop (a busy CI machine stalls timers for a few hundred
// ms) neither loses the lease between heartbeats nor sends the duplicate after the handler ended.
const LEASE_MS = 800;
const PROCESSING_MS = 2400;
const DUPLICATE_AFTER_MS = 1300;

describe.each(BACKENDS)('lease heartbeat ($name)', (backend) => {
  it('lease 800 ms, handler 2400 ms: a duplicate after 1300 ms gets 409, and the key executes exactly once', async () => {
    const store = await backend.store();
    const server = await startServer({ leaseMs: LEASE_MS, processingMs: PROCESSING_MS, ...(store ? { store } : {}) });
    const key = freshKey('lease');

    const original = post(server.url, '/payments', PAYMENT, { key });
    await sleep(DUPLICATE_AFTER_MS);
    const duplicate = await post(server.url, '/payments', PAYMENT, { key });
    expect(duplicate.status).toBe(409);

    const first = await original;
    expect(first.status).toBe(201);
    const replay = await post(server.url, '/payments', PAYMENT, { key });
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json.id).toBe(first.json.id);
    expect(await ledgerCount(server.url, key)).toBe(1);
  });
});
