// The load check's I/O: warm-up request, ledger before and after, the engine run, per-key oracles
// on a sample of duplicated keys; the verdict itself is judge.ts (pure).
import type { Exchange } from '../../core/exchange.js';
import { isSuccess, jsonBody } from '../../core/exchange.js';
import { assertSocketBudget } from '../../engine/fd-limit.js';
import { resolveWorkers, runLoad, runLoadInWorkers } from '../../engine/load/index.js';
import type { LoadProgress } from '../../engine/load/types.js';
import { parseThresholds } from '../../metrics/thresholds.js';
import type { LoadCheckOptions } from '../../scenario/check-options/load.js';
import { finding, type CheckContext, type Finding } from '../api.js';
import { judgeLoad } from './judge.js';
import { parseLedgerSummary, type LedgerSummaryDoc, type OracleFigures } from './oracles.js';
import { executorSpec, peakRate, shardOf, shareOf } from './plan.js';
import { waitUntil } from './start-at.js';
import { loadTemplate, portableLoadTemplate } from './template.js';

/** Keys that received duplicates whose executions are counted one by one after the run. */
const KEYS_PER_KEY_ORACLE = 8;

function ledgerUrlOf(ctx: CheckContext<unknown>): string | undefined {
  if (!ctx.oracle.available.includes('ledger')) return undefined;
  const declared = ctx.scenario.ledger;
  if (declared) return declared.startsWith('/') ? ctx.requests.url(declared) : declared;
  return ctx.requests.url('/_idemaudit/ledger');
}

async function readLedger(ctx: CheckContext<unknown>, url: string): Promise<{ doc?: LedgerSummaryDoc; exchange: Exchange }> {
  const exchange = await ctx.http.send({ method: 'GET', url, headers: {} }, { label: 'ledger', endpoint: ctx.endpoint.name });
  const doc = isSuccess(exchange) ? parseLedgerSummary(jsonBody(exchange)) : undefined;
  return doc ? { doc, exchange } : { exchange };
}

export async function runLoadCheck(ctx: CheckContext<LoadCheckOptions>): Promise<Finding[]> {
  const o = ctx.options;
  const { thresholds } = parseThresholds(o.thresholds);
  const spec = executorSpec(o);
  const maxRate = ctx.scenario.limits.maxRate;
  const peak = peakRate(o);
  if (maxRate !== undefined && (peak === undefined || peak > maxRate)) {
    return [
      finding(
        'error',
        'deviation',
        peak === undefined
          ? `limits.maxRate is ${maxRate} req/s but ${o.executor} has no rate bound: use constant-arrival-rate or ramping-arrival-rate`
          : `the load asks for ${peak} req/s but limits.maxRate is ${maxRate} req/s`,
        ctx.profile.cite.execution,
        [],
      ),
    ];
  }
  assertSocketBudget(spec.connections);
  const shard = shardOf(o);
  const runCap = Math.min(o.maxRequests, ctx.scenario.limits.maxRequests);
  // A shard sends its share of the run's cap.
  const maxRequests = Math.max(1, shareOf(runCap, shard));
  const timeoutMs = o.timeoutMs ?? ctx.scenario.defaults.timeoutMs;

  // One warm-up request through the audit's own client first: it passes the run's gate (safety
  // rails, dry run), shows up in the evidence, and stops a load that could only fail (wrong path,
  // credentials or body) before it sends thousands of requests.
  const warmKey = ctx.keys.next();
  const tenant = o.tenant ?? ctx.requests.defaultTenant;
  const warm = await ctx.http.send(ctx.requests.build({ endpoint: ctx.endpoint, key: warmKey, ...(tenant ? { tenant } : {}) }), {
    label: 'load: warm-up',
    endpoint: ctx.endpoint.name,
    key: warmKey,
    ...(tenant ? { tenant } : {}),
  });
  if (warm.error?.startsWith('dry run')) {
    const what = peak !== undefined ? `${o.executor} up to ${peak} req/s` : `${o.executor} on ${spec.connections} connections`;
    return [
      finding(
        'skip',
        'observation',
        `dry run: the load (${what} for ${o.executor === 'ramping-arrival-rate' ? 'its stages' : `${o.duration} ms`}, at most ${maxRequests} requests) was not sent`,
        ctx.profile.cite.execution,
        [],
      ),
    ];
  }
  if (ctx.signal.aborted || warm.error?.startsWith('not sent')) return [];
  if (!isSuccess(warm)) {
    return [
      finding(
        'error',
        'deviation',
        `the warm-up request answered ${warm.response ? warm.response.status : warm.error}: the load was not started (check the endpoint's path, body, credentials and key format)`,
        ctx.profile.cite.execution,
        [warm],
      ),
    ];
  }

  const ledgerUrl = ledgerUrlOf(ctx);
  const before = ledgerUrl ? await readLedger(ctx, ledgerUrl) : undefined;
  if (ctx.signal.aborted) return [];

  // Shards of one run start together: each waits for the agreed wall-clock time (after its warm-up).
  if (o.startAt !== undefined) await waitUntil(Date.parse(o.startAt), ctx.signal);
  if (ctx.signal.aborted) return [];
  const onProgress = (p: LoadProgress): void => ctx.emit({ type: 'load-progress', progress: p });
  const seed = `${ctx.keys.next()}`;
  const common = {
    executor: spec,
    maxRequests,
    timeoutMs,
    duplicates: o.duplicates,
    inFlightDuplicates: o.inFlightDuplicates,
    seed,
    statuses: ctx.profile.expect,
    ...(ctx.endpoint.identity ? { identity: ctx.endpoint.identity } : {}),
    bailout: ctx.scenario.limits.bailout,
    ...(shard ? { shard } : {}),
  };
  const workers = resolveWorkers(o.workers ?? 1);
  const result =
    workers > 1
      ? await runLoadInWorkers({ ...common, template: portableLoadTemplate(ctx, seed) }, workers, { signal: ctx.signal, onProgress })
      : await runLoad({ ...common, template: loadTemplate(ctx), signal: ctx.signal, onProgress });
  try {
    if (ctx.signal.aborted) return [];
    const oracles: OracleFigures = {};
    let oracleAvailable = false;
    let ledgerEvidence: Exchange[] | undefined;
    if (ctx.endpoint.identity && result.duplicates.pairsCompared + result.duplicates.replaysCompared > 0) {
      oracles.identity = result.duplicates.identityDuplicates;
      oracleAvailable = true;
    }
    const after = ledgerUrl ? await readLedger(ctx, ledgerUrl) : undefined;
    if (before?.doc && after?.doc) {
      const ours = after.doc.duplicates.filter((d) => d.key.startsWith(result.keyPrefix));
      oracles.ledgerKeys = ours.reduce((s, d) => s + d.executions - 1, 0);
      // The ledger's total grows with every shard's traffic: only an unsharded run can compare it with its own keys.
      if (!shard) oracles.ledgerExcess = Math.max(0, after.doc.total - before.doc.total - result.keys);
      oracleAvailable = true;
      if (oracles.ledgerKeys > 0 || (oracles.ledgerExcess ?? 0) > 0) ledgerEvidence = [after.exchange];
    }
    // Per-key oracles for a sample of duplicated keys: the probe when declared, the ledger when it
    // has no summary. Bounded: a few requests whatever the size of the run.
    const perKey = ctx.oracle.available.includes('probe') || (ledgerUrl !== undefined && !before?.doc);
    if (perKey && result.duplicatedKeys.length > 0) {
      let excess = 0;
      const keys = result.duplicatedKeys.slice(0, KEYS_PER_KEY_ORACLE);
      for (const key of keys) {
        if (ctx.signal.aborted) return [];
        const count = await ctx.oracle.count(ctx.endpoint, key, [], ctx.options.tenant);
        if (count.executions !== null) excess += Math.max(0, count.executions - 1);
      }
      oracles.sampled = { keys: keys.length, excess };
      oracleAvailable = true;
    }
    const capNote =
      runCap < o.maxRequests && result.capped
        ? `the run stopped at limits.maxRequests (${runCap}${shard ? `, ${maxRequests} for this shard` : ''}) before its duration; raise limits.maxRequests to load longer`
        : undefined;
    return judgeLoad({
      result,
      oracles,
      oracleAvailable,
      thresholds,
      profile: ctx.profile,
      ...(ledgerEvidence ? { ledgerEvidence } : {}),
      ...(capNote ? { capNote } : {}),
    });
  } finally {
    result.stats.destroy();
  }
}
