#!/usr/bin/env node
// Detection rate of the timing-sensitive flaws with default settings (built dist/, plain node; not
// part of `npm test`). Each audit gets its own reference server and runs one check alone:
//
//   tick-race     check-then-set one event-loop tick wide   -> concurrent-duplicates, default options
//   no-inflight   in-flight duplicate waits, then executes  -> timeout-retry alone, default options
//                 (scenarios/chaos.yaml's target: 100 ms processing, a 20 ms latency fault)
//   redis-get-set claim as GET then SET, the server run as two -> concurrent-duplicates, default options
//                 `serve --store redis` processes on one prefix behind a round-robin front
//                 (test/fixtures/apps/two-process.mjs; counted by the identity pointer, no ledger)
//
// and, as a peer in the same run, the correct server under the same audits (false alarms must be 0).
// Prints per case: detection rate, false alarms, and the median audit wall time per endpoint.
//
//   npm run build && node test/bench/detection-rate.mjs [--count 50] [--cases tick-race,no-inflight,redis-get-set]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runAudit } from '../../dist/audit/run.js';
import { startReferenceServer } from '../../dist/demo/index.js';
import { loadScenarioFile } from '../../dist/scenario/index.js';
import { createRedisStore } from '../../dist/reference/index.js';
import { startTwoProcessServer } from '../fixtures/apps/two-process.mjs';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '50' }, cases: { type: 'string', default: 'tick-race,no-inflight,redis-get-set' } },
});
const COUNT = Number(values.count);

const CASES = {
  'tick-race': { check: 'concurrent-duplicates', scenario: 'scenarios/reference.yaml', server: {}, defaults: true },
  'no-inflight': { check: 'timeout-retry', scenario: 'scenarios/chaos.yaml', server: { leaseMs: 1000, processingMs: 100 }, defaults: true },
  'redis-get-set': { check: 'concurrent-duplicates', scenario: 'scenarios/reference.yaml', twoProcess: true, defaults: true },
};

/** Two `serve --store redis` processes on a fresh prefix behind a round-robin front; close() deletes the prefix's keys. */
async function startServer(flaws, spec) {
  if (!spec.twoProcess) return startReferenceServer({ admin: true, port: 0, flaws, ...spec.server });
  const prefix = `idemaudit-bench:2p:${randomUUID()}:`;
  const server = await startTwoProcessServer({ prefix, flaws });
  return {
    url: server.url,
    async close() {
      await server.close();
      const store = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
      try {
        let cursor = '0';
        do {
          const [next, keys] = await store.client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          cursor = next;
          if (keys.length > 0) await store.client.del(...keys);
        } while (cursor !== '0');
      } finally {
        await store.close();
      }
    },
  };
}

async function audit(flaws, spec, seed) {
  const server = await startServer(flaws, spec);
  try {
    const scenario = await loadScenarioFile(spec.scenario, {});
    // Default options of the check, whatever the bundled scenario tunes.
    if (spec.defaults) delete scenario.checks[spec.check];
    if (spec.defaults) scenario.checks[spec.check] = (await import('../../dist/checks/index.js')).getCheck(spec.check).options.parse({});
    const started = performance.now();
    const report = await runAudit(scenario, { target: server.url, seed, only: [spec.check] });
    const ms = performance.now() - started;
    return { caught: report.results.some((r) => r.check === spec.check && r.verdict === 'fail'), ms: ms / scenario.endpoints.length, report };
  } finally {
    await server.close();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const rows = [];
process.stderr.write(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
for (const name of values.cases.split(',')) {
  const spec = CASES[name];
  if (!spec) throw new Error(`unknown case ${name}`);
  let caught = 0;
  let falseAlarms = 0;
  const flawMs = [];
  const cleanMs = [];
  for (let i = 0; i < COUNT; i++) {
    // Flawed and correct server alternate, so both see the same machine load.
    const flawed = await audit([name], spec, `bench-${name}-${i}`);
    if (flawed.caught) caught++;
    flawMs.push(flawed.ms);
    const clean = await audit([], spec, `bench-clean-${name}-${i}`);
    if (clean.report.results.some((r) => r.verdict === 'fail' || r.verdict === 'error' || r.verdict === 'inconclusive')) falseAlarms++;
    cleanMs.push(clean.ms);
    process.stderr.write(`${name} ${i + 1}/${COUNT}: ${flawed.caught ? 'caught' : 'MISSED'} (${Math.round(flawed.ms)} ms/endpoint)\n`);
  }
  rows.push({
    flaw: name,
    check: spec.check,
    detected: `${caught}/${COUNT}`,
    falseAlarmsOnCorrect: `${falseAlarms}/${COUNT}`,
    medianMsPerEndpointFlawed: Math.round(median(flawMs)),
    medianMsPerEndpointCorrect: Math.round(median(cleanMs)),
  });
}
console.table(rows);
console.log(
  `load average at end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
