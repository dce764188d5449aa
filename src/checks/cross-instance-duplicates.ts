// The concurrent burst of concurrent-duplicates, dealt across several instances or regions of the API
// (scenario `targets:`), released together (last-byte sync on every connection). Each instance may be
// correct on its own; what this proves is that they share one claim: a claim local to each instance
// (or region) lets every instance execute the key once, so the key executes once per instance.
// One root cause, one finding: when a split burst executes more than once, a failover probe (commit
// through the first instance, retry through another at once) tells the two stories apart. Instances
// that share completed keys but take the in-flight claim locally replay that retry: the failure is this
// check's. Instances that do not share completed keys at all (region-local stores, replication lag)
// execute it again: that is failover-replay's finding, and this one is inconclusive, naming it.
import type { Exchange } from '../core/exchange.js';
import { statusOf } from '../core/exchange.js';
import type { Profile } from '../profiles/index.js';
import { statusTally } from './compare.js';
import { exchangeMeta } from './send.js';
import { defineCheck, type CheckContext, type Finding, type TargetInstance } from './api.js';
import { judgeConcurrentDuplicates, type BurstRound, type DuplicateExecution } from './concurrent-duplicates.js';
import { countedAgain, executionsText, outcomeOf, sendFailoverRound, type FailoverRound } from './failover.js';
import { EXECUTION_ACROSS_INSTANCES } from './root-causes.js';
import { appliesToInstances, instancesOf, onInstance, unledgered } from './instances.js';
import { calibrateLedgers, withLedgerMode } from './ledger-calibration.js';
import type { LedgerPlan } from '../engine/ledger-merge.js';

import { CrossInstanceDuplicatesOptions as Options } from '../scenario/check-options/cross-instance-duplicates.js';

/** The instance a copy went to, from its evidence label ("copy 2/8 via us"). */
const VIA = / via (\S+)$/;

/** Statuses per instance, e.g. "eu: 201, 409×3; us: 201, 409×3". */
export function perInstance(exchanges: Exchange[]): string {
  const by = new Map<string, Exchange[]>();
  for (const e of exchanges) {
    const name = VIA.exec(e.label)?.[1] ?? '?';
    by.set(name, [...(by.get(name) ?? []), e]);
  }
  return [...by].map(([name, list]) => `${name}: ${statusTally(list)}`).join('; ');
}

/** The owner of a split burst's second execution when a sequential retry through another instance executes again too. */
export const FAILOVER_OWNER = 'failover-replay';

const duplicateExecution = (f: Finding): DuplicateExecution | undefined => f.facts?.duplicateExecution as DuplicateExecution | undefined;

/** The failed finding that says a key executed more than once across the instances, concurrently (not a 5xx, not a status deviation). */
const isSplitExecution = (f: Finding): boolean => f.verdict === 'fail' && duplicateExecution(f) === 'concurrent';

/**
 * The inconclusive finding that says the extra executions each arrived after the previous one had
 * completed: on one instance, a completed key executing again (sequential-replay's or expiry's); split
 * across instances, possibly one that another instance never saw completed (the probe tells).
 */
const isLateExecution = (f: Finding): boolean => f.verdict === 'inconclusive' && duplicateExecution(f) === 'after-completion';

/** The findings the failover probe is sent for. */
export const needsFailoverProbe = (findings: Finding[]): boolean => findings.some((f) => isSplitExecution(f) || isLateExecution(f));

/** "a sequential retry through us at once after the commit through eu executed again (2 executions; retry answered 201)". */
function probeText(r: FailoverRound): string {
  const outcome = outcomeOf(r);
  const what =
    outcome === 'executed'
      ? `executed again (${executionsText(r.count)}; retry answered ${statusOf(r.retry)})`
      : outcome === 'replayed'
        ? 'replayed'
        : outcome === 'conflict'
          ? 'answered 409'
          : outcome === 'differs'
            ? `answered ${statusOf(r.retry)} with another response, without a second execution`
            : outcome === 'unknown'
              ? 'answered the same bytes, with no oracle to count executions'
              : `could not be judged (commit ${statusOf(r.original)}, retry ${statusOf(r.retry)})`;
  return `through ${r.to} at once after the commit through ${r.from} ${what}`;
}

/**
 * Pure: which story a split burst's extra execution belongs to, told by the failover probe (a commit
 * through the first instance, then an identical retry through each other one at once). `f` is the
 * failure saying the key executed more than once across the instances, and how each answered.
 * - Every probe retry executed again, by count: the instances do not share completed keys at all (region-local
 *   stores, or replication that lags), and the burst's second execution is a consequence of that,
 *   owned by failover-replay: the finding becomes inconclusive naming it, the probe as its first
 *   evidence. The audit turns it back into a failure when failover-replay does not fail on the
 *   endpoint in the same run (audit/ownership.ts): never a false pass.
 * - Every probe retry replayed: the instances share completed keys but not the in-flight claim; the
 *   failure is this check's own, and says so.
 * - No probe, a probe that could not tell, or instances that disagree: the failure stands as it is.
 * `f` may instead be the inconclusive result saying each extra execution arrived after the previous
 * one had completed: when any probe retry executed again by count, it is failover-replay's the same way;
 * otherwise it stays with its owner (sequential-replay or expiry), the probe added to its facts.
 */
export function explainSplitExecution(f: Finding, probes: FailoverRound[]): Finding {
  const outcomes = probes.map((r) => outcomeOf(r));
  const said = probes.map(probeText).join('; ');
  const failoverProbe = {
    outcomes: Object.fromEntries(probes.map((r, i) => [`${r.from}->${r.to}`, outcomes[i]])),
    keys: probes.map((r) => r.original.key),
    executions: probes.map((r) => r.count.executions),
  };
  // A late execution (after completion, so no race) that a probe reproduced on any instance is a
  // completed key not seen across instances: failover-replay's, not sequential-replay's (which only
  // ever talks to the first target).
  // Only an execution the probe counted: one inferred from a different answer may be a re-rendered
  // replay, and taking the burst's counted execution over with it would blame the wrong root cause.
  const counted = probes.map(countedAgain);
  const reproduced = isLateExecution(f) ? counted.some(Boolean) : probes.length > 0 && counted.every(Boolean);
  if (reproduced) {
    // The evidence now starts with sequential requests: the result is no longer one parallel burst.
    const { concurrent: _burst, ...rest } = f;
    // A late execution's message already starts "not judged (root cause owned by sequential-replay or
    // expiry)": the probe names the owner instead.
    const saw = isLateExecution(f) ? f.message.replace(/not judged \([^)]*\): /, '') : f.message;
    return {
      ...rest,
      verdict: 'inconclusive',
      message: `not judged (root cause owned by ${FAILOVER_OWNER}): a sequential retry ${said}: ${counted.every(Boolean) ? 'the instances do not' : 'some of the instances do not'} share completed keys at all, so one key sent to two of them executes on each, concurrent or not; this check saw: ${saw}`,
      exchanges: [...probes.flatMap((r) => [r.original, r.retry]), ...f.exchanges],
      facts: { ...f.facts, failoverProbe, inconclusive: { owner: FAILOVER_OWNER, rootCause: EXECUTION_ACROSS_INSTANCES, probe: said } },
    };
  }
  // Late executions the probe does not pin on the instances stay with their owner (sequential-replay or expiry).
  if (isLateExecution(f)) return probes.length > 0 ? { ...f, facts: { ...f.facts, failoverProbe } } : f;
  // A 409 after the commit is not evidence of shared completions (the claim looked still in flight there).
  if (probes.length > 0 && outcomes.every((o) => o === 'replayed')) {
    return {
      ...f,
      message: `${f.message}: the instances share completed keys but not the in-flight claim (a sequential retry ${said}, so only concurrent copies on different instances each claim the key)`,
      facts: { ...f.facts, failoverProbe },
    };
  }
  return {
    ...f,
    message: `${f.message}: the instances do not share one claim per key (a store local to each instance or region)${probes.length > 0 ? `; failover probe: a sequential retry ${said}` : ''}`,
    ...(probes.length > 0 ? { facts: { ...f.facts, failoverProbe } } : {}),
  };
}

/**
 * The concurrent-duplicates verdict over bursts split across instances, its messages naming the
 * instances and what each answered (two fresh successes on two instances); with the failover probe's
 * rounds, a second execution is attributed to its story (explainSplitExecution).
 */
export function judgeCrossInstanceDuplicates(rounds: BurstRound[], instances: TargetInstance[], profile: Profile, probes: FailoverRound[] = []): Finding[] {
  const names = instances.map((i) => i.name).join(', ');
  const blind = unledgered(instances);
  return judgeConcurrentDuplicates(rounds, profile).map((f) => {
    const worst = f.exchanges.length > 0 && f.exchanges.every((e) => VIA.test(e.label)) ? ` [${perInstance(f.exchanges)}]` : '';
    const judged: Finding = {
      ...f,
      message: `across instances ${names}: ${f.message}${isSplitExecution(f) || isLateExecution(f) ? worst : ''}`,
      facts: {
        ...f.facts,
        instances: instances.map((i) => ({ name: i.name, baseUrl: i.baseUrl, ledger: i.ledgerUrl !== undefined })),
        ...(blind.length > 0 ? { uncounted: `no ledger on ${blind.join(', ')}: executions there are seen only by identity or probe` } : {}),
      },
    };
    return isSplitExecution(f) || isLateExecution(f) ? explainSplitExecution(judged, probes) : judged;
  });
}

async function sendSplitBurst(ctx: CheckContext<Options>, instances: TargetInstance[], ledgers: LedgerPlan): Promise<BurstRound> {
  const key = ctx.keys.next();
  const request = ctx.requests.build({ endpoint: ctx.endpoint, key });
  const copies = Math.max(ctx.options.copies, instances.length);
  // Round-robin: every instance gets copies, and each copy is released with all the others.
  const items = Array.from({ length: copies }, (_, i) => {
    const instance = instances[i % instances.length]!;
    return { request: onInstance(ctx, request, instance), meta: exchangeMeta(ctx, `copy ${i + 1}/${copies} via ${instance.name}`, key) };
  });
  const exchanges = await ctx.http.burst(items);
  const releasedAt = exchanges.length > 0 && ctx.http.epochMs ? ctx.http.epochMs(Math.min(...exchanges.map((e) => e.startedAt))) : undefined;
  const count = await ctx.oracle.count(ctx.endpoint, key, exchanges, undefined, ledgers);
  return { key, exchanges, count, ...(releasedAt !== undefined ? { releasedAt } : {}) };
}

export const crossInstanceDuplicates = defineCheck<Options>({
  id: 'cross-instance-duplicates',
  title: 'Cross-instance duplicates',
  summary: 'A concurrent burst with one key split across the declared instances or regions (targets:): at most one execution in all',
  options: Options,
  // Only where the scenario declares instances: `targets:` selects it by default (see audit/selection.ts).
  declaredOnly: true,
  runsWhen: 'the scenario or one of its endpoints declares `targets:` (and the scenario has no `checks:` section), or lists it under `checks:`',
  applies: appliesToInstances,
  async run(ctx) {
    const instances = instancesOf(ctx) as TargetInstance[];
    // Count-only ledgers: one shared ledger or one per instance? (see ledger-calibration.ts)
    const ledgers = await calibrateLedgers(ctx, instances);
    const rounds: BurstRound[] = [];
    for (let r = 1; r <= ctx.options.rounds && !ctx.signal.aborted; r++) {
      ctx.note(`burst ${r}/${ctx.options.rounds} across ${instances.map((i) => i.name).join(', ')}`);
      rounds.push(await sendSplitBurst(ctx, instances, ledgers.plan));
    }
    // A key that executed more than once: which story is it? Commit through the first instance, retry
    // through each other one at once (sequential, no race): executing again there is failover-replay's.
    if (ctx.signal.aborted || !needsFailoverProbe(judgeConcurrentDuplicates(rounds, ctx.profile)))
      return withLedgerMode(judgeCrossInstanceDuplicates(rounds, instances, ctx.profile), ledgers);
    const [first, ...others] = instances;
    const probes: FailoverRound[] = [];
    for (const to of others) {
      if (ctx.signal.aborted) break;
      ctx.note(`failover probe: commit via ${first!.name}, retry via ${to.name} at once`);
      probes.push(await sendFailoverRound(ctx, first!, to, 0, ledgers.plan, 'failover probe: '));
    }
    return withLedgerMode(judgeCrossInstanceDuplicates(rounds, instances, ctx.profile, probes), ledgers);
  },
});
