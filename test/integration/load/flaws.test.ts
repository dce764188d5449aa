// The load check against real reference servers on port 0: it catches the non-atomic claim (race)
// and the wait-then-execute flaw (no-inflight) under load, and passes the correct server on the
// memory store and on the Redis store. Each audit is a 2 s load at 150 req/s with 30% duplicates.
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/audit/run.js';
import { createRedisStore, type IdempotencyStore } from '../../../src/reference/index.js';
import { startReferenceServer } from '../../../src/demo/index.js';
import type { Report } from '../../../src/report/model.js';
import { scenarioSchema, type Scenario } from '../../../src/scenario/schema.js';
import { SHARED_REDIS_URL, deleteKeysByPrefix, requireRedis, uniquePrefix } from '../../helpers/redis.js';

export function loadScenario(load: Record<string, unknown> = {}): Scenario {
  return scenarioSchema().parse({
    version: 1,
    name: 'load-test',
    target: 'http://127.0.0.1:1',
    defaults: { headers: { 'content-type': 'application/json', authorization: 'Bearer alice' } },
    endpoints: [{ name: 'create-payment', path: '/payments', body: { amount: 100, currency: 'EUR', reference: 'order-{{seq}}' }, identity: '/id' }],
    checks: {
      load: {
        rate: 150,
        duration: '2s',
        connections: 16,
        duplicates: 0.3,
        inFlightDuplicates: 0.5,
        thresholds: ['duplicate_executions == 0', 'replay_mismatches == 0', 'error_rate < 1%', 'replay.p99 < first.p99'],
        ...load,
      },
    },
  });
}

async function audit(opts: { flaws?: string[]; store?: IdempotencyStore; seed?: string } = {}): Promise<Report> {
  const server = await startReferenceServer({
    admin: true,
    port: 0,
    ...(opts.flaws ? { flaws: opts.flaws } : {}),
    ...(opts.store ? { store: opts.store } : {}),
  });
  try {
    return await runAudit(loadScenario(), { target: server.url, seed: opts.seed ?? 'load' });
  } finally {
    await server.close();
  }
}

const describeResults = (r: Report): string => JSON.stringify(r.results.map((x) => [x.verdict, x.level, x.message]));

describe('load check on the reference server', () => {
  it.concurrent(
    'passes the correct server (memory store)',
    async ({ expect }) => {
      const report = await audit();
      expect(report.summary.verdict, describeResults(report)).toBe('pass');
      const load = report.load!['create-payment']!;
      expect(load.duplicateExecutions).toBe(0);
      expect(load.mix.inflight).toBeGreaterThan(20);
      expect(load.outcomes.conflict).toBeGreaterThan(10);
      expect(load.replaysCompared).toBeGreaterThan(20);
      expect(load.achievedRate).toBeGreaterThan(140);
      expect(report.results.filter((r) => r.check === 'load')).toHaveLength(5);
    },
    15_000,
  );

  it.concurrent.for([['race'], ['no-inflight']])('catches the %s flaw as a violation under load', { timeout: 15_000 }, async ([flaw], { expect }) => {
    const report = await audit({ flaws: [flaw!] });
    expect(report.summary.verdict).toBe('fail');
    const hit = report.results.find(
      (r) => r.check === 'load' && r.verdict === 'fail' && r.level === 'violation' && /duplicate executions? under load/.test(r.message),
    );
    expect(hit, describeResults(report)).toBeDefined();
    expect(hit!.evidence.length).toBeGreaterThanOrEqual(2);
    expect(hit!.reproduce?.[0]).toMatch(/--parallel/);
    const load = report.load!['create-payment']!;
    expect(load.duplicateExecutions).toBeGreaterThan(0);
    const threshold = report.results.find((r) => r.message.startsWith('threshold duplicate_executions == 0'));
    expect(threshold).toMatchObject({ verdict: 'fail', level: 'violation' });
  });

  it('passes the correct server on the Redis store', async () => {
    await requireRedis();
    const store = createRedisStore({ url: SHARED_REDIS_URL, prefix: uniquePrefix('load') });
    try {
      const report = await audit({ store });
      expect(report.summary.verdict, describeResults(report)).toBe('pass');
      expect(report.load!['create-payment']!.duplicateExecutions).toBe(0);
    } finally {
      await deleteKeysByPrefix(store.client, store.prefix);
      await store.close();
    }
  }, 15_000);
});
