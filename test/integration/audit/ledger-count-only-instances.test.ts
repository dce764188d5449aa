// Two instances of an API whose ledgers answer a count only (`ledgerCount` pointing at a number, no
// execution ids), so readings cannot be merged by id (issue 18). Two real node:http servers on port 0,
// each with a ledger at /_count?key=, either one ledger both write to (shared) or one each (separate),
// and either one key store (correct) or one each (flawed: a key runs once per instance). Answers carry
// no resource id, so the ledger is the only oracle that sees a second execution. The calibration tells
// shared from separate: the correct topology passes (a shared ledger is not double counted) and the
// flawed one fails (separate ledgers are added up), in both ledger layouts.
import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/audit/run.js';
import type { Report } from '../../../src/report/model.js';
import { parseScenario } from '../../../src/scenario/index.js';

interface Stored {
  done: boolean;
}
type Ledger = Map<string, number>;

/** A tiny idempotent API: claims a key in `store` synchronously (409 while in flight), counts each execution in `ledger`. */
function app(store: Map<string, Stored>, ledger: Ledger, opts: { failFirst?: boolean } = {}): Server {
  let failNext = opts.failFirst === true;
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/_count') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: ledger.get(url.searchParams.get('key') ?? '') ?? 0 }));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(200).end();
      return;
    }
    req.resume();
    req.on('end', () => {
      if (failNext) {
        // A transient outage: the first POST is refused without executing.
        failNext = false;
        res.writeHead(503, { 'content-type': 'application/problem+json' }).end('{"title":"unavailable"}');
        return;
      }
      const raw = req.headers['idempotency-key'];
      const key = typeof raw === 'string' ? raw.replace(/^"(.*)"$/, '$1') : '';
      if (!key) {
        res.writeHead(400, { 'content-type': 'application/problem+json' }).end('{"title":"key required"}');
        return;
      }
      const scoped = `${url.pathname}\n${key}`;
      const seen = store.get(scoped);
      if (seen?.done) {
        res.writeHead(201, { 'content-type': 'application/json', 'idempotent-replayed': 'true' }).end('{"status":"charged"}');
        return;
      }
      if (seen) {
        res.writeHead(409, { 'content-type': 'application/problem+json' }).end('{"title":"in flight"}');
        return;
      }
      store.set(scoped, { done: false });
      // The side effect: one ledger entry per execution, by key (the same answer every time: no id to count).
      ledger.set(key, (ledger.get(key) ?? 0) + 1);
      setTimeout(() => {
        store.set(scoped, { done: true });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"status":"charged"}');
      }, 5);
    });
  });
}

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** Two instances: one key store or one each; one ledger or one each. */
async function topology(stores: 'shared' | 'separate', ledgers: 'shared' | 'separate', opts: { failFirst?: boolean } = {}) {
  const store = new Map<string, Stored>();
  const ledger: Ledger = new Map();
  const eu = await listen(app(store, ledger, opts));
  const us = await listen(app(stores === 'shared' ? store : new Map(), ledgers === 'shared' ? ledger : new Map()));
  return { eu, us };
}

const scenarioText = (eu: string, us: string, endpointsYaml: string, checks: string) =>
  [
    'version: 1',
    'name: count-only',
    `target: ${eu}`,
    `targets: { eu: ${eu}, us: ${us} }`,
    'ledger: /_count',
    'ledgerCount: /count',
    'endpoints:',
    endpointsYaml,
    'checks:',
    checks,
  ].join('\n');

const INSTANCE_CHECKS = '  cross-instance-duplicates: { copies: 4, rounds: 2 }\n  failover-replay: { delaysMs: [0, 10], rounds: 1, ignore: [] }';

async function audit(eu: string, us: string, seed: string): Promise<Report> {
  const scenario = parseScenario(scenarioText(eu, us, '  - { name: pay, path: /pay }', INSTANCE_CHECKS), 'count-only.yaml', {});
  return runAudit(scenario, { target: eu, seed });
}

const summary = (r: Report) => JSON.stringify(r.results.map((x) => [x.check, x.endpoint, x.verdict, x.message, x.facts?.ledgers]));
const result = (r: Report, check: string, endpoint = 'pay') => r.results.find((x) => x.check === check && x.endpoint === endpoint)!;

describe('count-only ledgers across two instances', () => {
  it('one shared ledger, one shared store: passes, each execution counted once (summing would count it twice)', async () => {
    const { eu, us } = await topology('shared', 'shared');
    for (let i = 0; i < 3; i++) {
      const report = await audit(eu, us, `shared-correct-${i}`);
      expect(
        report.results.map((x) => x.verdict),
        summary(report),
      ).toEqual(['pass', 'pass']);
      for (const check of ['cross-instance-duplicates', 'failover-replay']) {
        const r = result(report, check);
        expect(r.facts).toMatchObject({ ledgers: 'shared', ledgerCalibration: [{ via: 'eu', readings: { eu: 1, us: 1 } }] });
      }
      expect(result(report, 'cross-instance-duplicates').message).toMatch(/no duplicate execution/);
    }
  });

  it('one shared ledger, a store per instance: fails, the ledger read once shows both executions', async () => {
    const { eu, us } = await topology('separate', 'shared');
    const report = await audit(eu, us, 'shared-flawed');
    const burst = result(report, 'cross-instance-duplicates');
    // One root cause, one finding: the split burst's second execution is failover-replay's (the probe
    // retry executed again too), and the burst's own count is still in its message.
    expect(burst, summary(report)).toMatchObject({ verdict: 'inconclusive', level: 'violation', facts: { ledgers: 'shared' } });
    expect(burst.message).toMatch(/^not judged \(root cause owned by failover-replay\).*key executed 2 times/);
    const failover = result(report, 'failover-replay');
    expect(failover).toMatchObject({ verdict: 'fail', level: 'violation', facts: { ledgers: 'shared', executions: 2 } });
    expect(failover.message).toMatch(/executed again \(2 executions/);
  });

  it('a ledger per instance, one shared store: passes, the counts add up to one execution', async () => {
    const { eu, us } = await topology('shared', 'separate');
    const report = await audit(eu, us, 'separate-correct');
    expect(
      report.results.map((x) => x.verdict),
      summary(report),
    ).toEqual(['pass', 'pass']);
    for (const check of ['cross-instance-duplicates', 'failover-replay']) {
      expect(result(report, check).facts).toMatchObject({ ledgers: 'separate', ledgerCalibration: [{ via: 'eu', readings: { eu: 1, us: 0 } }] });
    }
  });

  it('a ledger per instance, a store per instance: fails, one reading would have missed the second execution', async () => {
    const { eu, us } = await topology('separate', 'separate');
    const report = await audit(eu, us, 'separate-flawed');
    const burst = result(report, 'cross-instance-duplicates');
    // One root cause, one finding: the split burst's second execution is failover-replay's (the probe
    // retry executed again too), and the burst's own count is still in its message.
    expect(burst, summary(report)).toMatchObject({ verdict: 'inconclusive', level: 'violation', facts: { ledgers: 'separate' } });
    expect(burst.message).toMatch(/^not judged \(root cause owned by failover-replay\).*key executed 2 times/);
    const failover = result(report, 'failover-replay');
    expect(failover).toMatchObject({ verdict: 'fail', level: 'violation', facts: { ledgers: 'separate', executions: 2 } });
    // The retry answered the same bytes as the commit: only the summed ledgers saw the second execution.
    expect(failover.message).toMatch(/executed again \(2 executions; retry answered 201\)/);
  });

  it('undecided calibration: the lower bound never passes (a store and a ledger per instance, the calibration request refused)', async () => {
    const { eu, us } = await topology('separate', 'separate', { failFirst: true });
    const report = await audit(eu, us, 'undecided');
    // The first check's calibration got a 503: its bursts counted 1 execution (the highest single
    // ledger) where there were 2, and what would have passed is an error saying why.
    const burst = result(report, 'cross-instance-duplicates');
    expect(burst, summary(report)).toMatchObject({ verdict: 'error', facts: { ledgers: 'uncertain' } });
    expect(burst.message).toMatch(/could not be decided \(the calibration request through eu answered 503.*lower bound/);
    // The next check calibrates afresh (its request succeeds): separate ledgers, added up, caught.
    expect(result(report, 'failover-replay')).toMatchObject({ verdict: 'fail', facts: { ledgers: 'separate', executions: 2 } });
  });

  it('endpoint targets: the instance checks run only where an endpoint declares them, and skip where {} opts out', async () => {
    const { eu, us } = await topology('separate', 'separate');
    const endpoints = [
      `  - { name: own, path: /own, targets: { eu: ${eu}, us: ${us} } }`,
      '  - { name: out, path: /out, targets: {} }',
      '  - { name: plain, path: /plain }',
    ].join('\n');
    // No scenario-level targets: only `own` has instances.
    const text = scenarioText(eu, us, endpoints, INSTANCE_CHECKS).replace(/^targets: .*\n/m, '');
    const scenario = parseScenario(text, 'endpoint-targets.yaml', {});
    expect(scenario.targets).toBeUndefined();
    const report = await runAudit(scenario, { target: eu, seed: 'endpoint-targets' });
    const verdicts = report.results.map((x) => [x.check, x.endpoint, x.verdict]);
    expect(verdicts, summary(report)).toEqual([
      ['cross-instance-duplicates', 'own', 'inconclusive'],
      ['cross-instance-duplicates', 'out', 'skip'],
      ['cross-instance-duplicates', 'plain', 'skip'],
      ['failover-replay', 'own', 'fail'],
      ['failover-replay', 'out', 'skip'],
      ['failover-replay', 'plain', 'skip'],
    ]);
    expect(result(report, 'failover-replay', 'out').message).toBe('not run: this endpoint opts out of the instance checks (`targets: {}` on the endpoint)');
    expect(result(report, 'failover-replay', 'plain').message).toMatch(/^not run: no `targets:` declared/);
    // No request of the instance checks went to the other endpoints.
    const paths = new Set(report.exchanges.filter((e) => / via (eu|us)/.test(e.label)).map((e) => new URL(e.request.url).pathname));
    expect(paths).toEqual(new Set(['/own']));
  });
});
