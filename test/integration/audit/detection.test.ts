// The audit's own correctness: each flaw of the reference server is caught by the check that
// targets it, at the level the catalogue promises, and the correct server raises no false alarm.
// Audits run side by side (each against its own server) so the waits of `expiry` overlap.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultCheckIds, getCheck } from '../../../src/checks/index.js';
import { runAudit } from '../../../src/audit/run.js';
import { createRedisStore, type IdempotencyStore } from '../../../src/reference/index.js';
import { startReferenceServer } from '../../../src/demo/index.js';
import { deleteKeysByPrefix, uniquePrefix } from '../../helpers/redis.js';
import { runCli } from '../../helpers/cli.js';
import { adminPool, dropSchema, SHARED_DATABASE_URL, uniqueSchema } from '../../helpers/postgres.js';
import { createPostgresStore } from '../../../src/reference/store/postgres/index.js';
import type { Report } from '../../../src/report/model.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';

type StoreKind = 'memory' | 'redis' | 'postgres';

/** A store for one audit; Redis stores get their own prefix, PostgreSQL ones their own schema, and delete what they wrote. */
function makeStore(kind: StoreKind): { store?: IdempotencyStore; cleanup(): Promise<void> } {
  if (kind === 'memory') return { cleanup: async () => {} };
  if (kind === 'postgres') {
    const schema = uniqueSchema('detect');
    const store = createPostgresStore({ connectionString: SHARED_DATABASE_URL, schema, purgeIntervalMs: 0 });
    return {
      store,
      cleanup: async () => {
        await store.close();
        const admin = adminPool();
        await dropSchema(admin, schema).finally(() => admin.end());
      },
    };
  }
  const prefix = uniquePrefix('detect');
  const store = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
  return {
    store,
    cleanup: async () => {
      await deleteKeysByPrefix(store.client, prefix);
      await store.close();
    },
  };
}

async function audit(
  flaws: string[],
  seed = 'detect',
  kind: StoreKind = 'memory',
  opts: { processingMs?: number; only?: string[]; declare?: string[]; tune?: (s: Awaited<ReturnType<typeof loadScenarioFile>>) => void } = {},
): Promise<Report> {
  const { store, cleanup } = makeStore(kind);
  const server = await startReferenceServer({
    admin: true,
    port: 0,
    flaws,
    ...(store ? { store } : {}),
    ...(opts.processingMs !== undefined ? { processingMs: opts.processingMs } : {}),
  });
  try {
    const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
    // A check reference.yaml does not run (declaredOnly: it needs a fault proxy) joins with its default options.
    for (const id of opts.declare ?? []) scenario.checks[id] ??= getCheck(id).options.parse({});
    opts.tune?.(scenario);
    return await runAudit(scenario, { target: server.url, seed, scenarioFile: 'scenarios/reference.yaml', ...(opts.only ? { only: opts.only } : {}) });
  } finally {
    await server.close();
    await cleanup();
  }
}

/** reference.yaml runs every check except the chaos and load ones, which have their own scenarios. */
const REFERENCE_CHECKS = new Set(defaultCheckIds());

/** Only `expiry`, with a test retention declared on create-payment; the server keeps results `retentionMs`. */
async function expiryAudit(retentionMs: number | undefined, testRetention: number): Promise<Report> {
  const server = await startReferenceServer({ admin: true, port: 0, ...(retentionMs !== undefined ? { retentionMs } : {}) });
  try {
    const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
    scenario.endpoints[0]!.policy.testRetention = testRetention;
    scenario.checks.expiry = { waitMs: 300, marginMs: 400 };
    return await runAudit(scenario, { target: server.url, seed: 'expiry', only: ['expiry'] });
  } finally {
    await server.close();
  }
}

/** Flaw -> the check that must catch it, and at which level (the README shows this matrix). */
const PROTOCOL_MATRIX: Array<[flaw: string, check: string, level: 'violation' | 'deviation']> = [
  ['race', 'concurrent-duplicates', 'violation'],
  ['tick-race', 'concurrent-duplicates', 'violation'],
  ['no-inflight', 'concurrent-duplicates', 'violation'],
  // timeout-retry is not in reference.yaml (it needs a fault proxy): its row declares it with its defaults.
  ['no-inflight', 'timeout-retry', 'violation'],
  ['inflight-overwrite', 'concurrent-duplicates', 'violation'],
  ['inflight-overwrite', 'timeout-retry', 'violation'],
  ['global-lock', 'concurrent-duplicates', 'deviation'],
  ['no-fingerprint', 'payload-mismatch', 'violation'],
  ['poison', 'payload-mismatch', 'violation'],
  ['poison', 'fingerprint', 'violation'],
  ['poison', 'cross-endpoint', 'violation'],
  ['no-tenant-scope', 'cross-tenant', 'violation'],
  ['no-key-required', 'missing-key', 'violation'],
  ['regenerate', 'sequential-replay', 'violation'],
  ['body-key', 'payload-mismatch', 'violation'],
  ['replay-conflict', 'sequential-replay', 'violation'],
  ['retry-mismatch', 'sequential-replay', 'violation'],
  ['header-drop', 'sequential-replay', 'deviation'],
  ['short-ttl', 'expiry', 'deviation'],
  ['cache-5xx', 'error-replay', 'deviation'],
];

/** Flaws that need the server run as two processes sharing one Redis (test/fixtures/apps/two-process.mjs). */
const TWO_PROCESS_MATRIX: Array<[flaw: string, check: string, level: 'violation' | 'deviation']> = [['redis-get-set', 'concurrent-duplicates', 'violation']];

/** Chaos flaws, caught by scenarios/chaos.yaml, with the proof each finding must state. */
const CHAOS_MATRIX: Array<[flaw: string, check: string, level: 'violation' | 'deviation', proof: RegExp]> = [
  ['no-inflight', 'gateway-duplicate', 'violation', /key executed 2 times \(one attempt .*the ledger recorded 2 executions/],
  ['no-inflight', 'timeout-retry', 'violation', /key executed 2 times/],
  ['orphan-lock', 'in-flight-recovery', 'violation', /claim never expired: 409 persisted \d+ ms/],
  ['fail-open', 'store-outage', 'violation', /executed during the store outage .*fails open on a critical write/],
];

/** The row's check, when the reference scenario does not run it by itself. */
const declaredFor = (check: string): string[] => (getCheck(check).declaredOnly ? [check] : []);

const failed = (r: Report) => r.results.filter((x) => x.verdict === 'fail' || x.verdict === 'error');
const unclean = (r: Report) => r.results.filter((x) => x.verdict === 'fail' || x.verdict === 'error' || x.verdict === 'inconclusive');

/** The checks that own each flaw's root cause (the matrix rows): no other check may fail because of it. */
const OWNERS = new Map<string, Set<string>>();
for (const [flaw, check] of [...PROTOCOL_MATRIX, ...TWO_PROCESS_MATRIX]) OWNERS.set(flaw, (OWNERS.get(flaw) ?? new Set()).add(check));
/** Failed or errored results of checks that do not own the flaw: each is a root cause blamed twice. */
const strayFailures = (r: Report, flaw: string) => failed(r).filter((x) => !OWNERS.get(flaw)!.has(x.check));
const describeFailed = (r: Report) => JSON.stringify(failed(r).map((x) => [x.check, x.endpoint, x.level, x.message]));

describe('detection matrix (memory store)', () => {
  it.concurrent(
    'the correct server passes ten consecutive audits (two lanes of five seeds) with zero failed and zero inconclusive results',
    async ({ expect }) => {
      const lanes = [
        ['a', 'b', 'c', 'd', 'e'],
        ['f', 'g', 'h', 'i', 'j'],
      ];
      await Promise.all(
        lanes.map(async (seeds) => {
          for (const seed of seeds) {
            const report = await audit([], seed);
            expect(unclean(report), `seed ${seed}: ${describeFailed(report)}`).toEqual([]);
            expect(report.summary.verdict).toBe('pass');
            expect(new Set(report.results.map((r) => r.check))).toEqual(REFERENCE_CHECKS);
          }
        }),
      );
    },
    120_000,
  );

  const matrix = PROTOCOL_MATRIX;

  it.concurrent('expiry: a key replays inside the declared test retention and runs afresh after it', async ({ expect }) => {
    const report = await expiryAudit(1000, 1000);
    const results = report.results.filter((r) => r.endpoint === 'create-payment');
    expect(results.map((r) => [r.verdict, r.message])).toEqual([
      ['pass', expect.stringContaining('still replayed at +')],
      ['pass', expect.stringContaining('executed afresh at +')],
    ]);
    expect(results[0]!.facts).toMatchObject({ testRetentionMs: 1000, before: 'replay', after: 'executed' });
  });

  it.concurrent('expiry: a key still replayed past the declared test retention is a deviation', async ({ expect }) => {
    const report = await expiryAudit(undefined, 1000);
    const hit = report.results.find((r) => r.check === 'expiry' && r.verdict === 'fail');
    expect(hit, describeFailed(report)).toMatchObject({ level: 'deviation', message: expect.stringContaining('outlives its retention') });
  });

  it.concurrent.for(matrix)('flaw %s is caught by %s as a %s, and no other check fails because of it', async ([flaw, check, level], { expect }) => {
    const report = await audit([flaw], 'detect', 'memory', { declare: declaredFor(check) });
    expect(report.summary.verdict).toBe('fail');
    const hit = report.results.find((r) => r.check === check && r.verdict === 'fail' && r.level === level);
    expect(hit, describeFailed(report)).toBeDefined();
    expect(hit!.evidence.length).toBeGreaterThan(0);
    expect(strayFailures(report, flaw), describeFailed(report)).toEqual([]);
  });

  it.concurrent.for([
    ['replay-conflict', 409],
    ['retry-mismatch', 422],
  ] as Array<[string, number]>)('flaw %s: the checks that rely on replays are inconclusive, naming sequential-replay', async ([flaw, status], { expect }) => {
    const report = await audit([flaw]);
    const inconclusive = report.results.filter((r) => r.verdict === 'inconclusive');
    const checks = new Set(inconclusive.map((r) => r.check));
    for (const c of ['payload-mismatch', 'cross-tenant', 'cross-endpoint', 'expiry']) expect(checks, c).toContain(c);
    // Burst copies that arrive after the commit get the broken replay (422 here): that is no in-flight finding either.
    for (const c of checks) expect(['payload-mismatch', 'cross-tenant', 'cross-endpoint', 'expiry', 'concurrent-duplicates']).toContain(c);
    for (const r of inconclusive) {
      expect(r.message).toContain(
        `root cause owned by sequential-replay): an identical retry without any fault already answered ${status} where the original answered 201`,
      );
      expect(r.evidence.slice(0, 2).map((e) => e.label)).toEqual(['baseline: first execution', 'baseline: identical retry']);
    }
    expect(report.summary.counts.inconclusive).toBe(inconclusive.length);
  });

  it.concurrent(
    'the correct server with 2 s of processing: ten audits (five lanes of two; fewer checks and rounds) with zero failed and zero inconclusive results',
    async ({ expect }) => {
      const lanes = [
        ['p1', 'p2'],
        ['p3', 'p4'],
        ['p5', 'p6'],
        ['p7', 'p8'],
        ['p9', 'p10'],
      ];
      await Promise.all(
        lanes.map(async (seeds) => {
          for (const seed of seeds) {
            const report = await audit([], seed, 'memory', {
              processingMs: 2000,
              only: ['concurrent-duplicates', 'sequential-replay', 'payload-mismatch'],
              tune: (s) => {
                s.endpoints = s.endpoints.slice(0, 1);
                s.checks['concurrent-duplicates'] = { copies: 8, rounds: 1, budgetMs: 0 };
              },
            });
            expect(unclean(report), `seed ${seed}: ${describeFailed(report)}`).toEqual([]);
            // Genuinely exercised: the burst's copies were answered 409 while the original ran 2 s.
            const burst = report.results.find((r) => r.check === 'concurrent-duplicates')!;
            expect(burst.message).toMatch(/409×7/);
            expect(report.summary.verdict).toBe('pass');
          }
        }),
      );
    },
    120_000,
  );

  it.concurrent('an identity pointer that matches nothing (the API wraps the id as /data/id) is an error naming it, never a pass', async ({ expect }) => {
    const report = await audit(['race'], 'typo', 'memory', {
      only: ['concurrent-duplicates', 'sequential-replay'],
      tune: (s) => {
        for (const e of s.endpoints) e.identity = '/data/id';
      },
    });
    // The ledger still counts the race; the passes that relied on the pointer become errors.
    const replay = report.results.filter((r) => r.check === 'sequential-replay');
    expect(replay.map((r) => r.verdict)).toEqual(['error', 'error']);
    expect(replay[0]!.message).toMatch(/identity pointer \/data\/id matched nothing in 2 successful response\(s\), e\.g\. \{"id":"pay_/);
    expect(replay[0]!.evidence[0]!.response!.body).toContain('"id":"pay_');
    expect(report.results.filter((r) => r.check === 'concurrent-duplicates').map((r) => r.verdict)).toContain('fail');
  });

  it.concurrent('a target that goes down mid-run stops the run (incomplete, exit 3) and says which check was running', async ({ expect }) => {
    const server = await startReferenceServer({ port: 0 });
    let closing: Promise<void> | undefined;
    try {
      const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
      const report = await runAudit(scenario, {
        target: server.url,
        seed: 'down',
        only: ['sequential-replay', 'payload-mismatch', 'cross-tenant'],
        listener: (e) => {
          if (e.type === 'check-start' && e.check === 'payload-mismatch') closing ??= server.close();
        },
      });
      expect(report.summary).toMatchObject({ verdict: 'incomplete', stoppedBy: 'unreachable' });
      expect(report.summary.reason).toMatch(/stopped answering while payload-mismatch ran on create-payment/);
      expect(report.results.filter((r) => r.check === 'payload-mismatch')).toEqual([]);
      expect(report.results.filter((r) => r.check === 'cross-tenant')).toEqual([]);
      const { exitCodeOf } = await import('../../../src/cli/commands/run.js');
      expect(exitCodeOf(report.summary)).toBe(3);
    } finally {
      await (closing ?? server.close());
    }
  });

  describe('the same matrix with the Redis store', () => {
    it.concurrent(
      'the correct server passes three consecutive audits with zero failed and zero inconclusive results',
      async ({ expect }) => {
        for (const seed of ['ra', 'rb', 'rc']) {
          const report = await audit([], seed, 'redis');
          expect(unclean(report), `seed ${seed}: ${describeFailed(report)}`).toEqual([]);
        }
      },
      60_000,
    );

    it.concurrent.for(matrix)('flaw %s is caught by %s as a %s, and no other check fails because of it', async ([flaw, check, level], { expect }) => {
      const report = await audit([flaw], 'detect', 'redis', { declare: declaredFor(check) });
      const hit = report.results.find((r) => r.check === check && r.verdict === 'fail' && r.level === level);
      expect(hit, describeFailed(report)).toBeDefined();
      expect(strayFailures(report, flaw), describeFailed(report)).toEqual([]);
    });
  });

  describe('the same matrix with the PostgreSQL store', () => {
    it.concurrent(
      'the correct server passes the audit with zero failed results',
      async ({ expect }) => {
        const report = await audit([], 'pa', 'postgres');
        expect(failed(report), describeFailed(report)).toEqual([]);
      },
      60_000,
    );

    it.concurrent.for(matrix)('flaw %s is caught by %s as a %s', async ([flaw, check, level], { expect }) => {
      const report = await audit([flaw], 'detect', 'postgres', { declare: declaredFor(check) });
      const hit = report.results.find((r) => r.check === check && r.verdict === 'fail' && r.level === level);
      expect(hit, describeFailed(report)).toBeDefined();
    });
  });
});

// The server as two `idemaudit serve --store redis` processes on one prefix behind a round-robin
// front (needs the built dist/, like the e2e tests): the claim's GET and SET race across processes.
interface TwoProcessServer {
  url: string;
  connections: number[];
  close(): Promise<void>;
}
const TWO_PROCESS = pathToFileURL(fileURLToPath(new URL('../../fixtures/apps/two-process.mjs', import.meta.url))).href;

async function twoProcessAudit(flaws: string[], seed: string): Promise<{ report: Report; connections: number[] }> {
  const { startTwoProcessServer } = (await import(TWO_PROCESS)) as { startTwoProcessServer(o: { prefix: string; flaws: string[] }): Promise<TwoProcessServer> };
  const prefix = uniquePrefix('detect-2p');
  const server = await startTwoProcessServer({ prefix, flaws });
  try {
    const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
    const report = await runAudit(scenario, { target: server.url, seed, scenarioFile: 'scenarios/reference.yaml' });
    return { report, connections: [...server.connections] };
  } finally {
    await server.close();
    const store = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
    await deleteKeysByPrefix(store.client, prefix).finally(() => store.close());
  }
}

describe('two processes sharing Redis', () => {
  it.concurrent.for(TWO_PROCESS_MATRIX)(
    'flaw %s is caught by %s as a %s, and no other check fails because of it',
    { timeout: 120_000 },
    async ([flaw, check, level], { expect }) => {
      const { report, connections } = await twoProcessAudit([flaw], 'detect-2p');
      // Both processes served: the front spread the audit's connections over them.
      expect(connections.every((n) => n > 0)).toBe(true);
      const hit = report.results.find((r) => r.check === check && r.verdict === 'fail' && r.level === level);
      expect(hit, describeFailed(report)).toBeDefined();
      expect(hit!.message).toMatch(/key executed \d+ times/);
      expect(strayFailures(report, flaw), describeFailed(report)).toEqual([]);
    },
  );

  it.concurrent(
    'the correct server as two processes passes the audit with zero failed and zero inconclusive results',
    { timeout: 120_000 },
    async ({ expect }) => {
      const { report } = await twoProcessAudit([], 'clean-2p');
      expect(unclean(report), describeFailed(report)).toEqual([]);
    },
  );

  it('redis-get-set is refused without the redis store, with a clear error (and `serve` exits 2 with a hint)', async () => {
    await expect(startReferenceServer({ port: 0, flaws: ['redis-get-set'] })).rejects.toThrow(/redis-get-set flaw needs the redis store \(got memory\)/);
    const r = await runCli(['serve', '--port', '0', '--flaw', 'redis-get-set'], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--flaw redis-get-set .* needs --store redis \(got --store memory\)\n\s+hint: add --store redis/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});

// Chaos flaws: scenarios/chaos.yaml, only the check that targets the flaw, against a server started
// with the scenario's `self` settings (short lease, 100 ms processing).
async function chaosAudit(flaws: string[], check: string, also: string[] = []): Promise<Report> {
  const server = await startReferenceServer({ admin: true, port: 0, flaws, leaseMs: 1000, processingMs: 100 });
  try {
    const scenario = await loadScenarioFile('scenarios/chaos.yaml', {});
    // orphan-lock's server reports no lease at all: declare the one the scenario gives its own server.
    scenario.checks['in-flight-recovery'] = { ...(scenario.checks['in-flight-recovery'] as object), leaseMs: 1000 };
    for (const id of also) scenario.checks[id] ??= getCheck(id).options.parse({});
    return await runAudit(scenario, { target: server.url, seed: 'chaos-detect', only: [check, ...also], scenarioFile: 'scenarios/chaos.yaml' });
  } finally {
    await server.close();
  }
}

describe('the flaw catalogue', () => {
  // `idemaudit list flaws` and the README say which checks catch each flaw: they must say exactly
  // what the matrices in this file (and, for load, test/integration/load) prove.
  it('names exactly the checks proven to catch each flaw', async () => {
    const { listFlaws } = await import('../../../src/demo/index.js');
    const proven = new Map<string, Set<string>>();
    // The topology flaws: test/integration/audit/detection-instances.test.ts (two instances, one Redis).
    const instances = [
      ['region-local-store', 'failover-replay'],
      ['instance-local-lock', 'cross-instance-duplicates'],
    ];
    for (const [flaw, check] of [...PROTOCOL_MATRIX, ...TWO_PROCESS_MATRIX, ...CHAOS_MATRIX, ['race', 'load'], ['no-inflight', 'load'], ...instances] as Array<
      [string, string]
    >) {
      proven.set(flaw, (proven.get(flaw) ?? new Set()).add(check));
    }
    // The downstream flaws are proven by test/integration/audit/detection-services.test.ts.
    for (const flaw of listFlaws().filter((f) => f.bugClass !== 'downstream-propagation'))
      expect(new Set(flaw.caughtBy), flaw.name).toEqual(proven.get(flaw.name) ?? new Set());
  });
});

describe('chaos detection (scenarios/chaos.yaml)', () => {
  const chaosMatrix = CHAOS_MATRIX;

  it.concurrent.for(chaosMatrix)('flaw %s is caught by %s as a %s', { timeout: 30_000 }, async ([flaw, check, level, proof], { expect }) => {
    const report = await chaosAudit([flaw], check);
    expect(report.summary.verdict).toBe('fail');
    const hit = report.results.find((r) => r.check === check && r.verdict === 'fail' && r.level === level && proof.test(r.message));
    expect(hit, describeFailed(report)).toBeDefined();
    expect(hit!.evidence.length).toBeGreaterThan(0);
    if (/executed 2 times/.test(hit!.message)) expect(hit!.facts!.counterexample).toMatchObject({ ops: expect.any(Array) });
  });

  it.concurrent.for([
    ['regenerate', 'timeout-retry'],
    ['regenerate', 'lost-response'],
    ['replay-conflict', 'timeout-retry'],
  ] as Array<[string, string]>)('flaw %s under %s: inconclusive, owned by sequential-replay', { timeout: 30_000 }, async ([flaw, check], { expect }) => {
    const report = await chaosAudit([flaw], check, ['sequential-replay']);
    expect(
      failed(report).filter((r) => r.check !== 'sequential-replay'),
      describeFailed(report),
    ).toEqual([]);
    expect(report.results.some((r) => r.check === 'sequential-replay' && r.verdict === 'fail')).toBe(true);
    const inconclusive = report.results.filter((r) => r.verdict === 'inconclusive');
    expect(inconclusive.length).toBeGreaterThan(0);
    for (const r of inconclusive) expect(r.message).toContain('root cause owned by sequential-replay');
  });

  it.concurrent('without its owner in the run, a failure is never downgraded: it stands (no false pass)', { timeout: 30_000 }, async ({ expect }) => {
    const report = await chaosAudit(['replay-conflict'], 'timeout-retry');
    expect(report.results.filter((r) => r.verdict === 'inconclusive')).toEqual([]);
    const stands = report.results.filter((r) => r.check === 'timeout-retry' && r.verdict === 'fail');
    expect(stands.length, describeFailed(report)).toBeGreaterThan(0);
    expect(stands[0]!.message).toContain('sequential-replay did not fail on this endpoint in this run, so this failure stands');
    expect(report.summary.verdict).toBe('fail');
  });

  it.concurrent(
    'timeout-retry: every exercised round sent its first retry while the original was still running',
    async ({ expect }) => {
      const report = await chaosAudit([], 'timeout-retry');
      expect(unclean(report), describeFailed(report)).toEqual([]);
      for (const r of report.results) {
        const rounds = r.facts!.rounds as Array<{ exercised: boolean; firstRetry: string }>;
        expect(rounds.filter((x) => x.exercised).length).toBeGreaterThanOrEqual(2);
        for (const x of rounds) expect(x.firstRetry.startsWith('in-flight')).toBe(x.exercised);
      }
    },
    30_000,
  );

  it.concurrent(
    'fail-open on an endpoint that is not critical is a deviation',
    async ({ expect }) => {
      const report = await chaosAudit(['fail-open'], 'store-outage');
      const refund = report.results.filter((r) => r.endpoint === 'create-refund' && r.verdict === 'fail');
      expect(refund.map((r) => r.level)).toContain('deviation');
      expect(refund.find((r) => r.level === 'deviation')!.message).toContain('(risk high)');
    },
    30_000,
  );
});
