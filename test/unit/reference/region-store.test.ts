// The demo's multi-instance store wrappers (src/demo/app/region-store.ts): region-local keys are
// invisible to the other instance for good; replicated keys become visible after the lag, and only
// completed ones; the store underneath is never closed by the wrapper.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { regionStore } from '../../../src/demo/app/region-store.js';
import { MemoryStore } from '../../../src/reference/store/memory.js';
import { startReferenceServer } from '../../../src/demo/index.js';
import { ReferenceConfigError } from '../../../src/reference/config-error.js';

const response = { status: 201, headers: {}, bodyBase64: Buffer.from('{"id":"pay_1"}').toString('base64') };
const lease = { leaseMs: 30_000 };

afterEach(() => {
  vi.useRealTimers();
});

describe('regionStore', () => {
  it('region-local: the same key is new on each instance, even on one shared store', async () => {
    const shared = new MemoryStore();
    const eu = regionStore(shared, { region: 'eu' });
    const us = regionStore(shared, { region: 'us' });
    const a = await eu.begin('k', 'fp', lease);
    expect(a.kind).toBe('new');
    expect(await eu.complete('k', (a as { token: string }).token, response, 60_000)).toBe(true);
    expect((await eu.begin('k', 'fp', lease)).kind).toBe('completed');
    expect((await us.begin('k', 'fp', lease)).kind).toBe('new');
    await eu.close();
    // The wrapper leaves the shared store open for its owner.
    expect((await shared.lookup('region:eu:k', 'fp')).kind).toBe('completed');
    await shared.close();
  });

  it('replicated: a completed key reaches the other instance only after the lag', async () => {
    vi.useFakeTimers();
    const shared = new MemoryStore();
    const eu = regionStore(shared, { region: 'eu', replicationLagMs: 300 });
    const us = regionStore(shared, { region: 'us', replicationLagMs: 300 });
    const a = await eu.begin('k', 'fp', lease);
    await eu.complete('k', (a as { token: string }).token, response, 60_000);
    // Inside the lag the other region does not know the key: it would execute it again.
    expect((await us.lookup('k', 'fp')).kind).toBe('absent');
    await vi.advanceTimersByTimeAsync(300);
    expect(await us.begin('k', 'fp', lease)).toEqual({ kind: 'completed', response });
    expect((await us.begin('k', 'other', lease)).kind).toBe('mismatch');
    // A key still in flight is not replicated.
    await eu.begin('in-flight', 'fp', lease);
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await us.begin('in-flight', 'fp', lease)).kind).toBe('new');
    await eu.close();
    await us.close();
    await shared.close();
  });

  it('replicated with a lag of 0 (instance-local-lock): completed keys are shared before complete returns, claims are not', async () => {
    const shared = new MemoryStore();
    const eu = regionStore(shared, { region: 'eu', replicationLagMs: 0 });
    const us = regionStore(shared, { region: 'us', replicationLagMs: 0 });
    // Concurrent copies on two instances: each claims the key in its own space.
    const a = await eu.begin('k', 'fp', lease);
    const b = await us.begin('k', 'fp', lease);
    expect([a.kind, b.kind]).toEqual(['new', 'new']);
    expect(await eu.complete('k', (a as { token: string }).token, response, 60_000)).toBe(true);
    // No timer: the other instance replays the moment the original completed.
    expect(await us.lookup('k', 'fp')).toEqual({ kind: 'completed', response });
    // The second completion keeps the first one's shared copy.
    const later = { ...response, bodyBase64: Buffer.from('{"id":"pay_2"}').toString('base64') };
    expect(await us.complete('k', (b as { token: string }).token, later, 60_000)).toBe(true);
    expect(await eu.begin('k', 'fp', lease)).toEqual({ kind: 'completed', response });
    expect(eu.name).toContain('completions replicated synchronously, claims local');
    await eu.close();
    await us.close();
    await shared.close();
  });

  it('the server takes one topology at a time: the two flaws and a replication lag exclude each other', async () => {
    await expect(startReferenceServer({ flaws: ['region-local-store', 'instance-local-lock'] })).rejects.toThrow(ReferenceConfigError);
    await expect(startReferenceServer({ flaws: ['instance-local-lock'], replicationLagMs: 300 })).rejects.toThrow(
      /the instance-local-lock flaw does it synchronously: choose one/,
    );
    await expect(startReferenceServer({ flaws: ['region-local-store'], replicationLagMs: 0 })).rejects.toThrow(
      /the region-local-store flaw never does: choose one/,
    );
  });
});
