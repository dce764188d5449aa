// Fuzzes the reference server over real sockets, on the memory store and on the shared Redis (a
// unique prefix per test, deleted afterwards). Each run starts a fresh server, sends a short
// sequence of requests one at a time (arbitrary keys, spellings of them, repeated headers, odd
// credentials, arbitrary bodies) and checks every answer against an independent model: never a 5xx,
// never another (tenant, key)'s stored response, replays byte for byte, 422 on reuse, 400 on bad keys.
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer } from '../../src/demo/index.js';
import type { IdempotencyStore } from '../../src/reference/store/types.js';
import { createRedisStore } from '../../src/reference/store/redis/index.js';
import { deleteKeysByPrefix, requireRedis, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { crossTenantRun, fuzzRun, headerArray, type FuzzRun } from './arbitraries/http.js';
import { fuzzParams, fuzzTimeout, LONG_RUN } from './config.js';
import { ServerModel, type Answer } from './model.js';

const DEFAULT_RUNS = 100;
const CROSS_TENANT_RUNS = 40;
/** A run is at most ~14 requests on loopback; the budget covers a slow CI box. */
const PER_RUN_MS = 250;
const REQUEST_TIMEOUT_MS = 5_000;

/** Situations seen across runs (printed on long runs, to show what the fuzzer reached). */
const tally = new Map<string, number>();
afterAll(() => {
  if (!LONG_RUN) return;
  const lines = [...tally].sort((a, b) => b[1] - a[1]).map(([label, n]) => `  ${String(n).padStart(7)}  ${label}`);
  console.log(`reference-server fuzz, answers by situation:\n${lines.join('\n')}`);
});

interface Backend {
  name: string;
  /** A store for one run (undefined: the server's own MemoryStore). */
  store(run: number): IdempotencyStore | undefined;
}

async function exercise(run: FuzzRun, store: IdempotencyStore | undefined, flaws: string[] = [], seen = tally): Promise<void> {
  const server = await startReferenceServer({ admin: true, port: 0, store, processingMs: 0, keySyntax: run.keySyntax, flaws });
  const client = new Client(server.url, { headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS });
  const model = new ServerModel(run.keySyntax, seen);
  const transcript: string[] = [];
  try {
    for (const [index, req] of run.requests.entries()) {
      const res = await client.request({
        method: req.method,
        path: req.path,
        headers: headerArray(req),
        body: req.body,
      });
      const answer: Answer = { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
      transcript.push(
        `#${index} ${req.method} ${req.path} key=${JSON.stringify(req.keyLines)} auth=${JSON.stringify(req.authLines)} -> ${answer.status}${answer.headers['idempotent-replayed'] ? ' (replay)' : ''} ${answer.body.toString('utf8').slice(0, 100)}`,
      );
      const problems = model.check(index, req, answer);
      if (problems.length > 0) throw new Error(`${problems.join('\n')}\ntranscript:\n${transcript.join('\n')}`);
    }
  } finally {
    await client.close();
    await server.close();
  }
}

function fuzzBackend(backend: Backend): void {
  it(
    `never answers 5xx, another key's or tenant's response, or a wrong replay (${backend.name} store)`,
    async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(fuzzRun, async (run) => {
          runs += 1;
          await exercise(run, backend.store(runs));
        }),
        fuzzParams(DEFAULT_RUNS),
      );
      expect(runs).toBeGreaterThan(0);
    },
    fuzzTimeout(DEFAULT_RUNS, PER_RUN_MS),
  );

  it(
    `never replays one tenant's response to another reusing its key (${backend.name} store)`,
    async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(crossTenantRun, async (run) => {
          runs += 1;
          // Namespaces of this property start far from the other one's, so the two never share one.
          await exercise(run, backend.store(1_000_000 + runs));
        }),
        fuzzParams(CROSS_TENANT_RUNS),
      );
    },
    fuzzTimeout(CROSS_TENANT_RUNS, PER_RUN_MS),
  );
}

describe('fuzz: reference server', () => {
  // The model has teeth: each deliberate flaw it should see is found within a bounded number of runs.
  describe.each(['no-tenant-scope', 'no-fingerprint', 'regenerate', 'poison', 'no-key-required'])('finds the %s flaw', (flaw) => {
    it('within 200 runs', async () => {
      const result = await fc.check(
        fc.asyncProperty(fuzzRun, (run) => exercise(run, undefined, [flaw], new Map())),
        { numRuns: 200, endOnFailure: true },
      );
      expect(result.failed, `the fuzzer did not notice the ${flaw} flaw`).toBe(true);
    });
  });
  it('finds the no-tenant-scope flaw with the cross-tenant property at once', async () => {
    const result = await fc.check(
      fc.asyncProperty(crossTenantRun, (run) => exercise(run, undefined, ['no-tenant-scope'], new Map())),
      { numRuns: 3, endOnFailure: true },
    );
    expect(result.failed && result.numRuns).toBe(1);
  });

  fuzzBackend({ name: 'memory', store: () => undefined });

  describe('on Redis', () => {
    let admin: Redis;
    const prefix = uniquePrefix('fuzz');

    beforeAll(async () => {
      await requireRedis();
      admin = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
    });

    afterAll(async () => {
      if (!admin) return;
      await deleteKeysByPrefix(admin, prefix);
      await admin.quit();
    });

    // One client for every run; each run gets its own namespace under the test's prefix, so runs
    // never see each other's keys and one scan at the end removes them all.
    fuzzBackend({ name: 'redis', store: (run) => createRedisStore({ redis: admin, prefix: `${prefix}${run}:` }) });
  });
});
