// Several instances (or regions) of one API, one root cause, one finding:
// - `region-local-store` (each instance keeps its own keys although all share one Redis): caught by
//   failover-replay only; cross-instance-duplicates' split burst executes twice too, but its failover
//   probe shows the instances share no completed key, so it is inconclusive, naming failover-replay;
//   without failover-replay in the run, that failure stands (never a false pass);
// - `instance-local-lock` (completed keys shared synchronously, in-flight claims local): caught by
//   cross-instance-duplicates only, failover-replay passes;
// - asynchronous replication: failover-replay fails and reports the observed lag;
// - the correct topology (two instances, one shared Redis prefix, as `serve --store redis` twice)
//   passes ten audits in a row.
// Every check of the other audits runs too, and nothing else fails.
import { afterAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/audit/run.js';
import { createRedisStore } from '../../../src/reference/index.js';
import { startReferenceServer, type ReferenceServer } from '../../../src/demo/index.js';
import { deleteKeysByPrefix, uniquePrefix } from '../../helpers/redis.js';
import type { Report } from '../../../src/report/model.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';
import type { Scenario } from '../../../src/scenario/schema.js';

const OWNERS = new Set(['cross-instance-duplicates', 'failover-replay']);
const results = (r: Report, check: string) => r.results.filter((x) => x.check === check);
const unclean = (r: Report) => r.results.filter((x) => x.verdict === 'fail' || x.verdict === 'error' || x.verdict === 'inconclusive');
const describeUnclean = (r: Report) => JSON.stringify(unclean(r).map((x) => [x.check, x.endpoint, x.verdict, x.message]));

const prefixes: string[] = [];
const store = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix: 'unused:' });
afterAll(async () => {
  for (const p of prefixes) await deleteKeysByPrefix(store.client, p);
  await store.close();
});

/** Two instances of the demo API on one Redis prefix (each with its own connection, like two processes). */
async function topology(
  options: { flaws?: string[]; replicationLagMs?: number; ledgerOnB?: boolean } = {},
): Promise<{ a: ReferenceServer; b: ReferenceServer; close(): Promise<void> }> {
  const prefix = uniquePrefix('instances');
  prefixes.push(prefix);
  const stores = [createRedisStore({ url: 'redis://127.0.0.1:6379', prefix }), createRedisStore({ url: 'redis://127.0.0.1:6379', prefix })];
  const [a, b] = await Promise.all(
    stores.map((s, i) =>
      startReferenceServer({
        // Without the admin routes an instance has no ledger (`serve` without --admin).
        admin: i === 0 || options.ledgerOnB !== false,
        port: 0,
        store: s,
        ...(options.flaws ? { flaws: options.flaws } : {}),
        ...(options.replicationLagMs !== undefined ? { replicationLagMs: options.replicationLagMs } : {}),
      }),
    ),
  );
  return {
    a: a!,
    b: b!,
    close: async () => {
      await Promise.all([a!.close(), b!.close()]);
      await Promise.all(stores.map((s) => s.close()));
    },
  };
}

function withTargets(scenario: Scenario, a: ReferenceServer, b: ReferenceServer): Scenario {
  return { ...scenario, targets: { eu: a.url, us: b.url } };
}

describe('detection across instances (two instances, one Redis)', () => {
  it('region-local-store: caught by failover-replay alone on every endpoint; cross-instance-duplicates inconclusive, naming it; nothing else failing', async () => {
    const { a, b, close } = await topology({ flaws: ['region-local-store'] });
    try {
      // Every check of reference.yaml against instance eu, plus the two instance checks across eu and us.
      const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
      scenario.checks['cross-instance-duplicates'] = { copies: 4, rounds: 2 };
      scenario.checks['failover-replay'] = { delaysMs: [0, 100], rounds: 1, ignore: [] };
      const report = await runAudit(withTargets(scenario, a, b), { target: a.url, seed: 'region-local' });
      const failed = report.results.filter((r) => r.verdict === 'fail' || r.verdict === 'error');
      expect(
        failed.filter((r) => r.check !== 'failover-replay'),
        describeUnclean(report),
      ).toEqual([]);
      const stray = unclean(report).filter((r) => !OWNERS.has(r.check));
      expect(stray, describeUnclean(report)).toEqual([]);
      for (const endpoint of scenario.endpoints.map((e) => e.name)) {
        const failover = report.results.find((x) => x.check === 'failover-replay' && x.endpoint === endpoint);
        expect(failover, `failover-replay on ${endpoint}`).toMatchObject({ verdict: 'fail', level: 'violation' });
        const burst = results(report, 'cross-instance-duplicates').filter((x) => x.endpoint === endpoint);
        expect(
          burst.map((x) => x.verdict),
          `cross-instance-duplicates on ${endpoint}`,
        ).toContain('inconclusive');
        expect(burst.every((x) => x.verdict === 'inconclusive' || x.verdict === 'pass')).toBe(true);
      }
      const burst = results(report, 'cross-instance-duplicates').find((x) => x.verdict === 'inconclusive')!;
      // Evidence a developer can follow: the sequential probe that executed again, then the split burst.
      expect(burst.message).toMatch(
        /^not judged \(root cause owned by failover-replay\): a sequential retry through us at once after the commit through eu executed again \(2 executions; retry answered 201\): the instances do not share completed keys at all/,
      );
      expect(burst.message).toMatch(/this check saw: across instances eu, us: key executed 2 times .*\[eu: 201×1, .*us: 201×1.*\]$/);
      expect(burst.facts).toMatchObject({ inconclusive: { owner: 'failover-replay' }, failoverProbe: { outcomes: { 'eu->us': 'executed' } } });
      expect(burst.evidence.slice(0, 2).map((e) => e.label)).toEqual(['failover probe: commit via eu', 'failover probe: retry via us after 0 ms']);
      expect(burst.evidence.slice(2).every((e) => / via (eu|us)$/.test(e.label))).toBe(true);
      const failover = report.results.find((x) => x.check === 'failover-replay')!;
      expect(failover.message).toMatch(/a retry through us 0 ms after the commit through eu executed again \(2 executions/);
      expect(failover.message).toContain('the instances never shared the key');
      expect(failover.facts).toMatchObject({ replicationLagMs: null });
      expect(failover.evidence.map((e) => e.label)).toEqual(['commit via eu', 'retry via us after 0 ms']);
    } finally {
      await close();
    }
  });

  it('region-local-store without failover-replay in the run: cross-instance-duplicates still fails (never a false pass)', async () => {
    const { a, b, close } = await topology({ flaws: ['region-local-store'] });
    try {
      const scenario = await loadScenarioFile('scenarios/instances.yaml', {});
      scenario.checks = { 'cross-instance-duplicates': { copies: 4, rounds: 1 } };
      const report = await runAudit(withTargets(scenario, a, b), { target: a.url, seed: 'region-local-alone' });
      expect(report.results.map((x) => [x.check, x.verdict])).toEqual([['cross-instance-duplicates', 'fail']]);
      const [r] = report.results;
      expect(r!.message).toMatch(
        /^not judged \(root cause owned by failover-replay\): a sequential retry through us at once after the commit through eu executed again/,
      );
      expect(r!.message).toMatch(
        /\(failover-replay did not fail on this root cause \(execution-across-instances\) on this endpoint in this run, so this failure stands\)$/,
      );
      expect(r!.reproduce!.length).toBeGreaterThan(0);
      expect(report.summary.verdict).toBe('fail');
    } finally {
      await close();
    }
  });

  it('an instance without a ledger, no identity: its executions cannot be counted, so nothing passes and a different answer is a second execution', async () => {
    const { a, b, close } = await topology({ flaws: ['region-local-store'], ledgerOnB: false });
    try {
      const scenario = await loadScenarioFile('scenarios/instances.yaml', {});
      // The ledger is the only oracle: us's executions show in none.
      scenario.endpoints = scenario.endpoints.map(({ identity: _none, ...e }) => e);
      scenario.checks = { 'cross-instance-duplicates': { copies: 4, rounds: 2 }, 'failover-replay': { delaysMs: [0], rounds: 1, ignore: [] } };
      const report = await runAudit(withTargets(scenario, a, b), { target: a.url, seed: 'unledgered' });
      for (const r of report.results) expect(r.verdict, describeUnclean(report)).not.toBe('pass');
      const burst = results(report, 'cross-instance-duplicates')[0]!;
      expect(burst.facts).toMatchObject({ ledgers: 'uncertain', unledgeredCalibration: [{ via: 'us', readings: { eu: 0 } }] });
      const failover = results(report, 'failover-replay')[0]!;
      expect(failover, describeUnclean(report)).toMatchObject({ verdict: 'fail', level: 'violation' });
      expect(failover.message).toMatch(/executed again \(answered with a different response; retry answered 201\)/);
      expect(failover.message).not.toContain('without a second execution');
    } finally {
      await close();
    }
  });

  it('instance-local-lock: caught by cross-instance-duplicates alone on every endpoint; failover-replay passes; nothing else failing', async () => {
    const { a, b, close } = await topology({ flaws: ['instance-local-lock'] });
    try {
      const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
      scenario.checks['cross-instance-duplicates'] = { copies: 4, rounds: 2 };
      scenario.checks['failover-replay'] = { delaysMs: [0, 100], rounds: 1, ignore: [] };
      const report = await runAudit(withTargets(scenario, a, b), { target: a.url, seed: 'instance-local-lock' });
      const stray = unclean(report).filter((r) => r.check !== 'cross-instance-duplicates');
      expect(stray, describeUnclean(report)).toEqual([]);
      for (const endpoint of scenario.endpoints.map((e) => e.name)) {
        const burst = report.results.find((x) => x.check === 'cross-instance-duplicates' && x.endpoint === endpoint);
        expect(burst, `cross-instance-duplicates on ${endpoint}`).toMatchObject({ verdict: 'fail', level: 'violation' });
        expect(report.results.find((x) => x.check === 'failover-replay' && x.endpoint === endpoint)).toMatchObject({ verdict: 'pass' });
      }
      const burst = report.results.find((x) => x.check === 'cross-instance-duplicates')!;
      expect(burst.message).toMatch(
        /^across instances eu, us: key executed 2 times .*\[eu: 201×1, .*us: 201×1.*\]: the instances share completed keys but not the in-flight claim \(a sequential retry through us at once after the commit through eu replayed/,
      );
      expect(burst.facts).toMatchObject({ failoverProbe: { outcomes: { 'eu->us': 'replayed' } } });
      // The evidence is the burst alone, reproduced as one parallel curl.
      expect(burst.evidence.every((e) => / via (eu|us)$/.test(e.label))).toBe(true);
      expect(burst.reproduce).toHaveLength(1);
      expect(report.results.find((x) => x.check === 'failover-replay')!.facts).toMatchObject({ replicationLagMs: 0 });
    } finally {
      await close();
    }
  });

  it("asynchronous replication: a retry inside the lag executes again; the lag is reported; the split burst is failover-replay's", async () => {
    const { a, b, close } = await topology({ replicationLagMs: 150 });
    try {
      const scenario = await loadScenarioFile('scenarios/instances.yaml', {});
      scenario.checks = {
        'cross-instance-duplicates': { copies: 4, rounds: 1 },
        'failover-replay': { delaysMs: [0, 600, 1200], rounds: 1, ignore: [] },
      };
      const report = await runAudit(withTargets(scenario, a, b), { target: a.url, seed: 'lag' });
      const r = report.results.find((x) => x.check === 'failover-replay')!;
      expect(r, describeUnclean(report)).toMatchObject({ verdict: 'fail', level: 'violation' });
      expect(r.message).toMatch(/second executions at delays 0 ms; replication lag observed: retries replayed from 600 ms after the commit/);
      expect(r.facts).toMatchObject({ replicationLagMs: 600 });
      // Claims are local under replication too: the split burst executes twice, and the probe inside the lag executes again.
      expect(results(report, 'cross-instance-duplicates').map((x) => x.verdict)).toEqual(['inconclusive']);
      expect(results(report, 'cross-instance-duplicates')[0]!.message).toMatch(/^not judged \(root cause owned by failover-replay\)/);
    } finally {
      await close();
    }
  });

  it('the correct topology (one shared store) passes 10 audits in a row', async () => {
    const { a, b, close } = await topology();
    try {
      const scenario = await loadScenarioFile('scenarios/instances.yaml', {});
      scenario.checks = {
        'sequential-replay': scenario.checks['sequential-replay'],
        'concurrent-duplicates': { copies: 4, rounds: 1, budgetMs: 0 },
        'cross-instance-duplicates': { copies: 4, rounds: 2 },
        'failover-replay': { delaysMs: [0, 20], rounds: 1, ignore: [] },
      };
      for (let i = 0; i < 10; i++) {
        const report = await runAudit(withTargets(scenario, a, b), { target: a.url, seed: `correct-${i}` });
        expect(unclean(report), `audit ${i + 1}: ${describeUnclean(report)}`).toEqual([]);
        expect(report.results.filter((x) => OWNERS.has(x.check)).map((x) => x.verdict)).toEqual(['pass', 'pass']);
      }
    } finally {
      await close();
    }
  });

  it('fewer than two targets: the instance checks skip (never pass) and say why', async () => {
    const { a, close } = await topology();
    try {
      const scenario = await loadScenarioFile('scenarios/instances.yaml', {});
      scenario.checks = { 'cross-instance-duplicates': { copies: 4, rounds: 1 }, 'failover-replay': { delaysMs: [0], rounds: 1, ignore: [] } };
      const one = await runAudit({ ...scenario, targets: { eu: a.url } }, { target: a.url, seed: 'one' });
      expect(one.results.map((x) => [x.check, x.verdict, x.message])).toEqual([
        ['cross-instance-duplicates', 'skip', 'not run: only one target declared (eu); list at least two instances or regions'],
        ['failover-replay', 'skip', 'not run: only one target declared (eu); list at least two instances or regions'],
      ]);
      const { targets: _dropped, ...none } = scenario;
      const zero = await runAudit(none, { target: a.url, seed: 'none' });
      expect(zero.results.every((x) => x.verdict === 'skip' && x.message.startsWith('not run: no `targets:` declared'))).toBe(true);
    } finally {
      await close();
    }
  });
});
