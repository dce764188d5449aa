// The audit's own correctness: each flaw of the reference server is caught by the check that
// targets it, at the level the catalogue promises, and the correct server raises no false alarm.
// Audits run side by side (each against its own server) so the waits of `expiry` overlap.
import { describe, expect, it } from 'vitest';
import { defaultCheckIds } from '../../../src/checks/index.js';
import { runAudit } from '../../../src/audit/run.js';
import { createRedisStore, type IdempotencyStore } from '../../../src/reference/index.js';
import { startReferenceServer } from '../../../src/demo/index.js';
import { deleteKeysByPrefix, uniquePrefix } from '../../helpers/redis.js';
import type { Report } from '../../../src/report/model.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';

type StoreKind = 'memory' | 'redis';

/** A store for one audit; Redis stores get their own prefix and delete what they wrote. */
function makeStore(kind: StoreKind): { store?: IdempotencyStore; cleanup(): Promise<void> } {
  if (kind === 'memory') return { cleanup: async () => {} };
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

async function audit(flaws: string[], seed = 'detect', kind: StoreKind = 'memory'): Promise<Report> {
  const { store, cleanup } = makeStore(kind);
  const server = await startReferenceServer({ port: 0, flaws, ...(store ? { store } : {}) });
  try {
    const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
    return await runAudit(scenario, { target: server.url, seed, scenarioFile: 'scenarios/reference.yaml' });
  } finally {
    await server.close();
    await cleanup();
  }
}

/** reference.yaml runs every check except the chaos and load ones, which have their own scenarios. */
const REFERENCE_CHECKS = new Set(defaultCheckIds());

/** Only `expiry`, with a test retention declared on create-payment; the server keeps results `retentionMs`. */
async function expiryAudit(retentionMs: number | undefined, testRetention: number): Promise<Report> {
  const server = await startReferenceServer({ port: 0, ...(retentionMs !== undefined ? { retentionMs } : {}) });
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
  ['no-inflight', 'concurrent-duplicates', 'violation'],
  ['no-fingerprint', 'payload-mismatch', 'violation'],
  ['poison', 'payload-mismatch', 'violation'],
  ['poison', 'fingerprint', 'violation'],
  ['poison', 'cross-endpoint', 'violation'],
  ['no-tenant-scope', 'cross-tenant', 'violation'],
  ['no-key-required', 'missing-key', 'violation'],
  ['regenerate', 'sequential-replay', 'violation'],
  ['header-drop', 'sequential-replay', 'deviation'],
  ['short-ttl', 'expiry', 'deviation'],
  ['cache-5xx', 'error-replay', 'deviation'],
];

/** Chaos flaws, caught by scenarios/chaos.yaml, with the proof each finding must state. */
const CHAOS_MATRIX: Array<[flaw: string, check: string, level: 'violation' | 'deviation', proof: RegExp]> = [
  ['no-inflight', 'gateway-duplicate', 'violation', /key executed 2 times \(one attempt .*the ledger recorded 2 executions/],
  ['no-inflight', 'timeout-retry', 'violation', /key executed 2 times/],
  ['regenerate', 'lost-response', 'violation', /re-rendered body/],
  ['regenerate', 'timeout-retry', 'violation', /re-rendered body/],
  ['orphan-lock', 'in-flight-recovery', 'violation', /claim never expired: 409 persisted \d+ ms/],
  ['fail-open', 'store-outage', 'violation', /executed during the store outage .*fails open on a critical write/],
];

const failed = (r: Report) => r.results.filter((x) => x.verdict === 'fail' || x.verdict === 'error');
const describeFailed = (r: Report) => JSON.stringify(failed(r).map((x) => [x.check, x.endpoint, x.level, x.message]));

describe('detection matrix (memory store)', () => {
  it.concurrent('the correct server passes ten consecutive audits (two lanes of five seeds) with zero failed results', async ({ expect }) => {
    const lanes = [['a', 'b', 'c', 'd', 'e'], ['f', 'g', 'h', 'i', 'j']];
    await Promise.all(lanes.map(async (seeds) => {
      for (const seed of seeds) {
        const report = await audit([], seed);
        expect(failed(report), `seed ${seed}: ${describeFailed(report)}`).toEqual([]);
        expect(report.summary.verdict).toBe('pass');
        expect(new Set(report.results.map((r) => r.check))).toEqual(REFERENCE_CHECKS);
      }
    }));
  }, 60_000);

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

  it.concurrent.for(matrix)('flaw %s is caught by %s as a %s', async ([flaw, check, level], { expect }) => {
    const report = await audit([flaw]);
    expect(report.summary.verdict).toBe('fail');
    const hit = report.results.find((r) => r.check === check && r.verdict === 'fail' && r.level === level);
    expect(hit, describeFailed(report)).toBeDefined();
    expect(hit!.evidence.length).toBeGreaterThan(0);
  });

  describe('the same matrix with the Redis store', () => {
    it.concurrent('the correct server passes three consecutive audits with zero failed results', async ({ expect }) => {
      for (const seed of ['ra', 'rb', 'rc']) {
        const report = await audit([], seed, 'redis');
        expect(failed(report), `seed ${seed}: ${describeFailed(report)}`).toEqual([]);
      }
    }, 60_000);

    it.concurrent.for(matrix)('flaw %s is caught by %s as a %s', async ([flaw, check, level], { expect }) => {
      const report = await audit([flaw], 'detect', 'redis');
      const hit = report.results.find((r) => r.check === check && r.verdict === 'fail' && r.level === level);
      expect(hit, describeFailed(report)).toBeDefined();
    });
  });
});

// Chaos flaws: scenarios/chaos.yaml, only the check that targets the flaw, against a server started
// with the scenario's `self` settings (short lease, 100 ms processing).
async function chaosAudit(flaws: string[], check: string): Promise<Report> {
  const server = await startReferenceServer({ port: 0, flaws, leaseMs: 1000, processingMs: 100 });
  try {
    const scenario = await loadScenarioFile('scenarios/chaos.yaml', {});
    // orphan-lock's server reports no lease at all: declare the one the scenario gives its own server.
    scenario.checks['in-flight-recovery'] = { ...scenario.checks['in-flight-recovery'], leaseMs: 1000 };
    return await runAudit(scenario, { target: server.url, seed: 'chaos-detect', only: [check], scenarioFile: 'scenarios/chaos.yaml' });
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
    for (const [flaw, check] of [...PROTOCOL_MATRIX, ...CHAOS_MATRIX, ['race', 'load'], ['no-inflight', 'load']] as Array<[string, string]>) {
      proven.set(flaw, (proven.get(flaw) ?? new Set()).add(check));
    }
    for (const flaw of listFlaws()) expect(new Set(flaw.caughtBy), flaw.name).toEqual(proven.get(flaw.name) ?? new Set());
  });
});

describe('chaos detection (scenarios/chaos.yaml)', () => {
  const chaosMatrix = CHAOS_MATRIX;

  it.concurrent.for(chaosMatrix)('flaw %s is caught by %s as a %s', async ([flaw, check, level, proof], { expect }) => {
    const report = await chaosAudit([flaw], check);
    expect(report.summary.verdict).toBe('fail');
    const hit = report.results.find((r) => r.check === check && r.verdict === 'fail' && r.level === level && proof.test(r.message));
    expect(hit, describeFailed(report)).toBeDefined();
    expect(hit!.evidence.length).toBeGreaterThan(0);
    if (/executed 2 times/.test(hit!.message)) expect(hit!.facts!.counterexample).toMatchObject({ ops: expect.any(Array) });
  }, 30_000);

  it.concurrent('fail-open on an endpoint that is not critical is a deviation', async ({ expect }) => {
    const report = await chaosAudit(['fail-open'], 'store-outage');
    const refund = report.results.filter((r) => r.endpoint === 'create-refund' && r.verdict === 'fail');
    expect(refund.map((r) => r.level)).toContain('deviation');
    expect(refund.find((r) => r.level === 'deviation')!.message).toContain('(risk high)');
  }, 30_000);
});
