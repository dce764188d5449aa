// Across services (scenarios/services.yaml): the demo payments API as service A calling a payment
// processor B through the downstream recorder. Each downstream flaw is caught by exactly the check
// that owns it, with the recorded calls as evidence, and nothing else fails; the checks the same
// root cause also trips are inconclusive, naming the owner. The correct topology passes ten audits
// in a row. Without a `downstream:` declaration the downstream checks are skipped, never passed.
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/audit/run.js';
import { listFlaws, startReferenceServer } from '../../../src/demo/index.js';
import type { SelfServer, SelfTargetFactory } from '../../../src/audit/target.js';
import { MemoryStore } from '../../../src/reference/index.js';
import type { Report } from '../../../src/report/model.js';
import { governance } from '../../../src/report/governance.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';

const SCENARIO = 'scenarios/services.yaml';
const DOWNSTREAM_CHECKS = ['downstream-propagation', 'downstream-dedupe', 'downstream-failure'];

/**
 * `target: self` with these flaws: the audit passes the recorder's URL in the settings; the
 * scenario's second instance (targets:) is a peer sharing the first one's store.
 */
const selfWith =
  (flaws: string[]): SelfTargetFactory =>
  async (settings) => {
    const store = new MemoryStore();
    const start = () =>
      startReferenceServer({
        port: 0,
        admin: true,
        flaws,
        store,
        ...(settings.leaseMs !== undefined ? { leaseMs: settings.leaseMs } : {}),
        ...(settings.processingMs !== undefined ? { processingMs: settings.processingMs } : {}),
        ...(settings.downstream !== undefined ? { downstream: settings.downstream } : {}),
      });
    const first = await start();
    const peers: Array<Awaited<ReturnType<typeof start>>> = [];
    const peer = async (): Promise<SelfServer> => {
      const server = await start();
      peers.push(server);
      return { url: server.url, close: () => server.close() };
    };
    return {
      url: first.url,
      peer,
      close: async () => {
        await Promise.all(peers.map((p) => p.close()));
        await first.close();
        await store.close();
      },
    };
  };

async function audit(flaws: string[], seed: string): Promise<Report> {
  const scenario = await loadScenarioFile(SCENARIO, {});
  return runAudit(scenario, { seed, startSelf: selfWith(flaws), scenarioFile: SCENARIO });
}

const failed = (r: Report) => r.results.filter((x) => x.verdict === 'fail' || x.verdict === 'error');
const describeResults = (r: Report) => JSON.stringify(r.results.filter((x) => x.verdict !== 'pass').map((x) => [x.check, x.verdict, x.level, x.message]));

/** Flaw -> the check that owns it, the proof its message must state, and the checks left inconclusive. */
const MATRIX: Array<[flaw: string, check: string, proof: RegExp, inconclusive: string[]]> = [
  ['downstream-no-key', 'downstream-propagation', /the first call to processor .* carried no Idempotency-Key/, ['downstream-dedupe', 'downstream-failure']],
  [
    'downstream-fresh-key',
    'downstream-dedupe',
    /timeout-retry: one logical request reached processor .* as 2 side effects .*the key changes per attempt/,
    ['downstream-failure'],
  ],
];

describe('detection across services (scenarios/services.yaml)', () => {
  it.concurrent(
    'the correct topology passes ten consecutive audits (two lanes of five seeds), every downstream check run and passed',
    async ({ expect }) => {
      const lanes = [
        ['s1', 's2', 's3', 's4', 's5'],
        ['s6', 's7', 's8', 's9', 's10'],
      ];
      await Promise.all(
        lanes.map(async (seeds) => {
          for (const seed of seeds) {
            const report = await audit([], seed);
            expect(
              report.results.filter((r) => r.verdict !== 'pass'),
              `seed ${seed}: ${describeResults(report)}`,
            ).toEqual([]);
            for (const c of DOWNSTREAM_CHECKS)
              expect(
                report.results.filter((r) => r.check === c && r.verdict === 'pass'),
                c,
              ).toHaveLength(1);
            // The timeout situation really ran the payment twice and B saw one key twice.
            const dedupe = report.results.find((r) => r.check === 'downstream-dedupe')!;
            expect(dedupe.message).toMatch(/timeout-retry 2 calls, one key/);
          }
        }),
      );
    },
    240_000,
  );

  it.concurrent.for(MATRIX)(
    'flaw %s is caught by %s, with the recorded calls as evidence, and nothing else fails',
    async ([flaw, check, proof, inconclusive], { expect }) => {
      const report = await audit([flaw], `detect-${flaw}`);
      expect(report.summary.verdict).toBe('fail');
      const hits = failed(report);
      expect(
        hits.map((h) => [h.check, h.level]),
        describeResults(report),
      ).toEqual(hits.map(() => [check, 'violation']));
      expect(hits.length).toBeGreaterThan(0);
      const hit = hits.find((h) => proof.test(h.message));
      expect(hit, describeResults(report)).toBeDefined();
      expect(hit!.evidence.length).toBeGreaterThan(0);
      const calls = hit!.facts?.calls as Array<{ key: string | null; path: string }>;
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.every((c) => c.path === '/charges')).toBe(true);
      const others = report.results.filter((r) => r.verdict === 'inconclusive');
      expect(new Set(others.map((r) => r.check))).toEqual(new Set(inconclusive));
      for (const r of others) expect(r.message).toContain(`root cause owned by ${check}`);
    },
  );

  it('names exactly the checks proven to catch each downstream flaw', () => {
    const downstream = listFlaws().filter((f) => f.bugClass === 'downstream-propagation');
    expect(downstream.map((f) => [f.name, f.caughtBy])).toEqual(MATRIX.map(([flaw, check]) => [flaw, [check]]));
  });

  it.concurrent('without downstream: the downstream checks are skipped, and governance says L3 is not reached for it', async ({ expect }) => {
    const scenario = await loadScenarioFile(SCENARIO, {});
    scenario.downstream = {};
    const report = await runAudit(scenario, { seed: 'none', startSelf: selfWith([]), only: DOWNSTREAM_CHECKS });
    expect(report.results.map((r) => [r.check, r.verdict])).toEqual(DOWNSTREAM_CHECKS.map((c) => [c, 'skip']));
    for (const r of report.results) expect(r.message).toMatch(/no downstream: is declared/);
    const [g] = governance(report);
    expect(g!.maturity.level).toBeLessThan(3);
  });
});
