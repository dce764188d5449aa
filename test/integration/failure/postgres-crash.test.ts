// Crashes and stalls of app servers on the PostgreSQL store, where the business data (a payments
// table) lives in the same database (test/fixtures/apps/pg-payments.mjs, one process per app server):
//
// 1. SIGKILL between the business COMMIT and the key's completion, then a retry on a restarted
//    server. With the layer completing the key after the handler (plain), the key is still in
//    progress when the process dies: once the lease expires the retry executes again, a second
//    payment (the crash window the README describes). With completeInTransaction the key was
//    completed by the same commit: the retry replays the first payment.
// 2. A claim whose lease expires while the handler still runs (its event loop blocked past the
//    lease: no heartbeat), and the retry reaches another server that claims the key and executes.
//    plain: the stalled handler commits too, a duplicate payment. transactional: its completion is
//    refused by the fencing token (ClaimLostError), its transaction rolls back, one payment.
//
// Oracle: rows of the payments table per idempotency key.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';
import { adminPool, dropSchema, requirePostgres, SHARED_DATABASE_URL, uniqueSchema } from '../../helpers/postgres.js';
import { sleep } from '../../helpers/redis.js';

const LEASE_MS = 1_000;
const FIXTURE = join(ROOT, 'test/fixtures/apps/pg-payments.mjs');
const MAX_RETRIES = 60;

const admin = adminPool();
const schema = uniqueSchema('crash');
const children = new Set<ChildProcess>();

beforeAll(async () => {
  await requirePostgres();
  if (!existsSync(join(ROOT, 'dist/reference/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.query(`CREATE TABLE "${schema}".payments (id bigserial PRIMARY KEY, idem_key text NOT NULL, amount integer NOT NULL, pid integer NOT NULL)`);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await dropSchema(admin, schema);
  await admin.end();
});

interface App {
  url: string;
  child: ChildProcess;
  exited: Promise<void>;
}

async function startApp(mode: 'plain' | 'transactional'): Promise<App> {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, DATABASE_URL: SHARED_DATABASE_URL, SCHEMA: schema, MODE: mode, LEASE_MS: String(LEASE_MS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`app did not start within 10 s: ${stderr}`)), 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then(() => reject(new Error(`app exited before listening: ${stderr}`)));
  });
  return { url, child, exited };
}

async function stopApp(app: App): Promise<void> {
  app.child.kill('SIGTERM');
  await Promise.race([app.exited, sleep(3_000).then(() => app.child.kill('SIGKILL'))]);
}

interface Answer {
  status: number;
  replayed: boolean;
  id?: string;
}

async function pay(url: string, key: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(`${url}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `"${key}"`, ...headers },
    body: JSON.stringify({ amount: 4200 }),
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  const text = await res.body.text();
  const id = res.statusCode === 201 ? (JSON.parse(text) as { id: string }).id : undefined;
  return { status: res.statusCode, replayed: res.headers['idempotent-replayed'] === 'true', ...(id ? { id } : {}) };
}

/** Retries until an answer other than 409 (the dead server's claim still holding the key). */
async function retryUntilDecided(url: string, key: string): Promise<{ answer: Answer; conflicts: number }> {
  for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
    const answer = await pay(url, key);
    if (answer.status !== 409) return { answer, conflicts: attempt };
    await sleep(100);
  }
  throw new Error(`key ${key} still 409 after ${MAX_RETRIES} retries`);
}

async function paymentsFor(key: string): Promise<{ id: string; pid: number }[]> {
  const { rows } = await admin.query(`SELECT id::text, pid FROM "${schema}".payments WHERE idem_key = $1 ORDER BY id`, [`"${key}"`]);
  return rows.map((row: { id: string; pid: number }) => ({ id: `pay_${row.id}`, pid: row.pid }));
}

async function claimVisible(key: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { rowCount } = await admin.query(`SELECT 1 FROM "${schema}".idempotency_keys WHERE key = $1 AND status = 'in_progress'`, [key]);
    if (rowCount === 1) return;
    await sleep(20);
  }
  throw new Error(`claim of ${key} never appeared`);
}

describe('server SIGKILLed between the business commit and the key completion', () => {
  it('plain completion: the retry after the lease executes a second payment (the crash window)', { timeout: 30_000 }, async () => {
    const key = `crash-plain-${process.pid}`;
    const first = await startApp('plain');
    await expect(pay(first.url, key, { 'x-crash-after-commit': '1' })).rejects.toThrow();
    await first.exited;
    expect(await paymentsFor(key)).toHaveLength(1);

    const second = await startApp('plain');
    try {
      const { answer } = await retryUntilDecided(second.url, key);
      expect(answer.status).toBe(201);
      expect(answer.replayed).toBe(false);
      const rows = await paymentsFor(key);
      expect(rows, 'the duplicate this mode cannot prevent').toHaveLength(2);
      expect(rows[1]!.id).toBe(answer.id);
    } finally {
      await stopApp(second);
    }
  });

  it('completeInTransaction: the retry replays the committed payment, no second one', { timeout: 30_000 }, async () => {
    const key = `crash-tx-${process.pid}`;
    const first = await startApp('transactional');
    await expect(pay(first.url, key, { 'x-crash-after-commit': '1' })).rejects.toThrow();
    await first.exited;
    const committed = await paymentsFor(key);
    expect(committed).toHaveLength(1);

    const second = await startApp('transactional');
    try {
      const { answer, conflicts } = await retryUntilDecided(second.url, key);
      expect(conflicts).toBe(0);
      expect(answer).toEqual({ status: 201, replayed: true, id: committed[0]!.id });
      expect(await paymentsFor(key)).toEqual(committed);
    } finally {
      await stopApp(second);
    }
  });
});

describe('a lease that expires while the handler still runs, the retry served by another server', () => {
  async function stalledThenRetried(mode: 'plain' | 'transactional', key: string) {
    const [stalled, other] = await Promise.all([startApp(mode), startApp(mode)]);
    try {
      const original = pay(stalled.url, key, { 'x-block-ms': String(3 * LEASE_MS) }).catch((error: unknown) => ({ error }));
      await claimVisible(key);
      await sleep(LEASE_MS + 300);
      // The stalled server's event loop is blocked: no heartbeat, its lease has run out.
      const retry = await pay(other.url, key);
      const originalAnswer = await original;
      const later = await retryUntilDecided(other.url, key);
      return { retry, originalAnswer, later: later.answer, rows: await paymentsFor(key) };
    } finally {
      await Promise.all([stopApp(stalled), stopApp(other)]);
    }
  }

  it('plain completion: both handlers commit, a duplicate payment', { timeout: 30_000 }, async () => {
    const { retry, originalAnswer, rows } = await stalledThenRetried('plain', `stall-plain-${process.pid}`);
    expect(retry).toMatchObject({ status: 201, replayed: false });
    expect(originalAnswer).toMatchObject({ status: 201 });
    expect(rows, 'the duplicate this mode cannot prevent').toHaveLength(2);
  });

  it('completeInTransaction: the stale holder is fenced off and rolls back, one payment', { timeout: 30_000 }, async () => {
    const { retry, originalAnswer, later, rows } = await stalledThenRetried('transactional', `stall-tx-${process.pid}`);
    expect(retry).toMatchObject({ status: 201, replayed: false });
    expect(originalAnswer).toMatchObject({ status: 500 });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(retry.id);
    expect(later).toEqual({ status: 201, replayed: true, id: retry.id });
  });
});
