// The concurrent burst of concurrent-duplicates, dealt across several instances or regions of the API
// (scenario `targets:`), released together (last-byte sync on every connection). Each instance may be
// correct on its own; what this proves is that they share one claim: a key store local to each
// instance (or region) lets every instance execute the key once, so the key executes once per instance.
import type { Exchange } from '../core/exchange.js';
import type { Profile } from '../profiles/index.js';
import { statusTally } from './compare.js';
import { exchangeMeta } from './send.js';
import { defineCheck, type CheckContext, type Finding, type TargetInstance } from './api.js';
import { judgeConcurrentDuplicates, type BurstRound } from './concurrent-duplicates.js';
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

/**
 * The concurrent-duplicates verdict over bursts split across instances, its messages naming the
 * instances and what each answered (two fresh successes on two instances is the region-local store).
 */
export function judgeCrossInstanceDuplicates(rounds: BurstRound[], instances: TargetInstance[], profile: Profile): Finding[] {
  const names = instances.map((i) => i.name).join(', ');
  const blind = unledgered(instances);
  return judgeConcurrentDuplicates(rounds, profile).map((f) => {
    const worst = f.exchanges.length > 0 && f.exchanges.every((e) => VIA.test(e.label)) ? ` [${perInstance(f.exchanges)}]` : '';
    const message =
      f.verdict === 'fail' && f.level === 'violation' && /executed \d+ times/.test(f.message)
        ? `across instances ${names}: ${f.message}${worst}: the instances do not share one claim per key (a store local to each instance or region)`
        : `across instances ${names}: ${f.message}`;
    return {
      ...f,
      message,
      facts: {
        ...f.facts,
        instances: instances.map((i) => ({ name: i.name, baseUrl: i.baseUrl, ledger: i.ledgerUrl !== undefined })),
        ...(blind.length > 0 ? { uncounted: `no ledger on ${blind.join(', ')}: executions there are seen only by identity or probe` } : {}),
      },
    };
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
    return withLedgerMode(judgeCrossInstanceDuplicates(rounds, instances, ctx.profile), ledgers);
  },
});
