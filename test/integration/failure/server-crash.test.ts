// The server process is SIGKILLed while a keyed request is in flight, then restarted on the same
// port and the same Redis; the client retries with the same key.
//
//   process 1: idemaudit serve --store redis --lease 15s --processing-ms 6000   (killed)
//   process 2: idemaudit serve --store redis --lease 15s --processing-ms 200    (the restart)
//
// Expected: the retries get 409 while the dead process's claim holds the key (until its 15 s lease
// expires in Redis), then exactly one execution, then replays of it.
//
// The oracle for "exactly one execution in total". The ledger lives in process memory, so the one of
// process 1 dies with it; we count executions as (executions of process 1) + (ledger of process 2):
//   - process 1 records its side effect only after 6000 ms of processing that start right after its
//     claim (src/demo/app/mutation.ts: simulateWork, then ledger.record, then complete);
//   - the test kills process 1 about 20 ms after its claim appears in Redis, far inside the 6000 ms
//     of processing that precede the side effect (asserted), and Redis still shows that claim in
//     flight with its token: 0 executions there (and its client got no answer at all);
//   - process 2's ledger (GET /_idemaudit/ledger?key=K) shows exactly 1 execution, whose id is the
//     one every later 201 for K carries, and Redis ends with the key completed.
//
// The restart runs with --processing-ms 200 only to keep the test short: a handler longer than its
// lease renews the claim while it works (src/reference/layer/lease.ts), so it would not run twice.

import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { Client, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PREFIX } from '../../../src/reference/store/redis/index.js';
import { scopedStoreKey } from '../../../src/reference/layer/scope.js';
import { ANONYMOUS_TENANT } from '../../../src/reference/layer/tenant.js';
import { recordKey } from '../../../src/reference/store/redis/keys.js';
import { startServe } from '../../helpers/cli.js';
import { sleep, startRedisServer } from '../../helpers/redis.js';

// Long enough for a restart of the CLI on a busy 2-core machine (a cold start takes 1-2 s idle,
// several seconds beside CPU-bound neighbours; the restart is asserted to come before the expiry).
const LEASE_MS = 15_000; // --lease 15s
const FIRST_PROCESSING_MS = 6_000;
const RESTART_PROCESSING_MS = 200;
const RETRY_EVERY_MS = 100;
// A count: at least RETRY_EVERY_MS apart, 400 retries span 40 s or more, over twice the lease.
const MAX_RETRIES = 400;
// Clocks of two processes (Redis and this one) and whole-millisecond PTTL.
const CLOCK_SLACK_MS = 50;
const PAYMENT = JSON.stringify({ amount: 4200, currency: 'EUR' });

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

interface Answer {
  status: number;
  replayed: boolean;
  retryAfter?: string;
  id?: string;
  /** performance.now() when sent and when answered. */
  sentAt: number;
  at: number;
}

async function post(base: string, key: string): Promise<Answer> {
  const sentAt = performance.now();
  const res = await request(`${base}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `"${key}"` },
    body: PAYMENT,
    headersTimeout: 5_000,
    bodyTimeout: 5_000,
  });
  const body = (await res.body.json().catch(() => ({}))) as { id?: string };
  const retryAfter = res.headers['retry-after'];
  return {
    status: res.statusCode,
    replayed: res.headers['idempotent-replayed'] === 'true',
    ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
    ...(typeof body.id === 'string' ? { id: body.id } : {}),
    sentAt,
    at: performance.now(),
  };
}

describe('server SIGKILLed mid-request, restarted on the same Redis', () => {
  it('answers 409 until the dead claim expires, then executes the key exactly once', { timeout: 120_000 }, async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop('SIGKILL'));
    const inspect = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    cleanups.push(() => inspect.quit());

    const key = `crash-${process.pid}-${Date.now()}`;
    // The record the layer keeps for this key: scoped to the tenant (anonymous: no Authorization).
    const record = recordKey(DEFAULT_PREFIX, scopedStoreKey(ANONYMOUS_TENANT, key));
    const flags = ['--store', 'redis', '--redis-url', redis.url, '--lease', `${LEASE_MS / 1000}s`];

    // Process 1, and a request that is still processing when the process dies.
    const first = await startServe([...flags, '--processing-ms', String(FIRST_PROCESSING_MS)]);
    cleanups.push(() => killed(first.child));
    const port = new URL(first.url).port;
    const client = new Client(first.url);
    cleanups.push(() => client.destroy());
    const sentAt = performance.now();
    const original = client
      .request({ path: '/payments', method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `"${key}"` }, body: PAYMENT })
      .then(
        async (res) => ({ status: res.statusCode, body: await res.body.text() }),
        (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
      );

    // Wait for the claim to land in Redis, then kill at once.
    let claim: Record<string, string> = {};
    for (let i = 0; i < 400 && claim.state === undefined; i++) {
      claim = await inspect.hgetall(record);
      if (claim.state === undefined) await sleep(5);
    }
    expect(claim.state, 'process 1 never claimed the key').toBe('in-flight');
    await killed(first.child);
    const killedAt = performance.now();

    // Redis-side evidence that process 1 died before its side effect (see the header).
    const afterKill = await inspect.hgetall(record);
    const pttlSentAt = performance.now();
    const pttl = await inspect.pttl(record);
    // The dead claim expires between these two instants (on this process's clock).
    const leaseEndsAfter = pttlSentAt + pttl;
    const leaseEndsBefore = performance.now() + pttl + 1;
    expect(afterKill.state).toBe('in-flight');
    expect(afterKill.token).toBe(claim.token);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(LEASE_MS);
    expect(killedAt - sentAt).toBeLessThan(FIRST_PROCESSING_MS);
    const lost = await original;
    expect(lost, 'the client of process 1 gets no answer').toHaveProperty('error');

    // Process 2 on the same port and the same Redis.
    const second = await startServe([...flags, '--port', port, '--processing-ms', String(RESTART_PROCESSING_MS)]);
    cleanups.push(() => second.stop());
    expect(new URL(second.url).port).toBe(port);
    const restartedAt = performance.now();
    expect(restartedAt, 'the restart must come before the dead claim expires, or no 409 can be observed').toBeLessThan(leaseEndsAfter);

    // Retry with the same key until it runs.
    const retries: Answer[] = [];
    for (let i = 0; i < MAX_RETRIES; i++) {
      const answer = await post(second.url, key);
      retries.push(answer);
      if (answer.status !== 409) break;
      await sleep(RETRY_EVERY_MS);
    }
    const created = retries.at(-1)!;
    const conflicts = retries.slice(0, -1);
    expect(conflicts.length, 'at least one retry met the dead claim').toBeGreaterThan(0);
    for (const answer of conflicts) {
      expect(answer.status).toBe(409);
      expect(answer.retryAfter).toBeDefined();
      // Nothing but the lease frees the key: no 409 for a retry sent after the lease ended. (The
      // server answers between a retry's send and its answer; a loaded machine can delay the
      // answer well past the expiry, so the send is what is compared.)
      expect(answer.sentAt).toBeLessThan(leaseEndsBefore + CLOCK_SLACK_MS);
    }
    expect(created.status).toBe(201);
    expect(created.replayed).toBe(false);
    expect(created.id).toMatch(/^pay_/);
    // ...and it ran only once the lease was over: its answer came after the expiry.
    expect(created.at).toBeGreaterThan(leaseEndsAfter - CLOCK_SLACK_MS);

    // Later retries replay that one execution.
    const replay = await post(second.url, key);
    expect(replay.status).toBe(201);
    expect(replay.replayed).toBe(true);
    expect(replay.id).toBe(created.id);

    // Exactly one execution in total: 0 in process 1 (above), 1 in process 2's ledger.
    const ledger = (await (await request(`${second.url}/_idemaudit/ledger?key=${encodeURIComponent(key)}`)).body.json()) as {
      executions: Array<{ id: string }>;
    };
    expect(ledger.executions).toHaveLength(1);
    expect(ledger.executions[0]!.id).toBe(created.id);
    const final = await inspect.hgetall(record);
    expect(final.state).toBe('completed');
    expect(final.token).toBeUndefined();

    console.info(
      `[server-crash] killed ${(killedAt - sentAt).toFixed(0)} ms after sending (claim PTTL ${pttl} ms left); ` +
        `restart ready ${(restartedAt - killedAt).toFixed(0)} ms after the kill; ${conflicts.length} x 409, ` +
        `first 201 ${(created.at - leaseEndsAfter).toFixed(0)} ms after the lease ended; 1 execution (${created.id})`,
    );
  });
});
