// Commit a key through one instance or region (the first of `targets:`), then retry it through each
// other one, at once and after each swept delay, as a client does after a failover. The retry must be
// answered with the replay (or a 409 while the claim is still seen in flight), never executed a second
// time. The smallest delay from which every retry replayed is the replication lag the audit observed.
import { isSuccess, statusOf } from '../core/exchange.js';
import type { Profile } from '../profiles/index.js';
import { defineCheck, finding, presumes, type Finding, type TargetInstance } from './api.js';
import { exactCount, executionsText, onlyInferable, outcomeOf, sendFailoverRound, type FailoverRound } from './failover.js';
import { EXECUTION_ACROSS_INSTANCES } from './root-causes.js';
import { appliesToInstances, instancesOf, unledgered } from './instances.js';
import { calibrateLedgers, withLedgerMode } from './ledger-calibration.js';

import { FailoverReplayOptions as Options } from '../scenario/check-options/failover-replay.js';

/**
 * Replication lag observed: the smallest swept delay from which every retry (at that delay and all
 * longer ones) replayed; undefined when even the longest delay did not.
 */
export function observedLagMs(rounds: FailoverRound[], ignore: string[]): number | undefined {
  const delays = [...new Set(rounds.map((r) => r.delayMs))].sort((a, b) => a - b);
  let lag: number | undefined;
  for (let i = delays.length - 1; i >= 0; i--) {
    const at = rounds.filter((r) => r.delayMs === delays[i]);
    if (!at.every((r) => outcomeOf(r, ignore) === 'replayed')) break;
    lag = delays[i];
  }
  return lag;
}

const byDelay = (rounds: FailoverRound[], ignore: string[]): Record<string, string> =>
  Object.fromEntries(
    [...new Set(rounds.map((r) => r.delayMs))].map((d) => [
      `${d}ms`,
      rounds
        .filter((r) => r.delayMs === d)
        .map((r) => `${r.from}->${r.to}: ${outcomeOf(r, ignore)}`)
        .join(', '),
    ]),
  );

export function judgeFailoverReplay(rounds: FailoverRound[], instances: TargetInstance[], profile: Profile, ignore: string[] = []): Finding[] {
  const lag = observedLagMs(rounds, ignore);
  const blind = unledgered(instances);
  const facts: Record<string, unknown> = {
    outcomes: byDelay(rounds, ignore),
    replicationLagMs: lag ?? null,
    delaysMs: [...new Set(rounds.map((r) => r.delayMs))],
    oracles: rounds[0]?.count.by ?? {},
    ...(blind.length > 0 ? { uncounted: `no ledger on ${blind.join(', ')}: executions there are seen only by identity or probe` } : {}),
  };
  const longest = Math.max(...rounds.map((r) => r.delayMs));
  const lagText =
    lag === undefined
      ? `no retry replayed even ${longest} ms after the commit: the instances never shared the key`
      : lag === 0
        ? 'retries replayed at once (no replication lag observed)'
        : `replication lag observed: retries replayed from ${lag} ms after the commit`;
  const pair = (r: FailoverRound) => [r.original, r.retry];

  const failed = rounds.find((r) => outcomeOf(r, ignore) === 'failed');
  if (failed) {
    const why = !isSuccess(failed.original)
      ? `the commit through ${failed.from} failed (${statusOf(failed.original)})`
      : `the retry through ${failed.to} got no response (${failed.retry.error})`;
    return [finding('error', 'deviation', `${why}, so failover cannot be judged`, profile.cite.execution, pair(failed), facts)];
  }
  const findings: Finding[] = [];
  const executed = rounds.filter((r) => outcomeOf(r, ignore) === 'executed');
  if (executed.length > 0) {
    executed.sort((a, b) => a.delayMs - b.delayMs);
    // A counted second execution is the evidence; one only inferred from a different answer presumes
    // that replays answer the stored bytes (an endpoint that re-renders them is sequential-replay's).
    const first = executed.find((r) => !onlyInferable(r.count)) ?? executed[0]!;
    const inferred = onlyInferable(first.count);
    const delays = [...new Set(executed.map((r) => r.delayMs))].sort((a, b) => a - b);
    const counted = executionsText(first.count);
    findings.push(
      // An endpoint whose retry on one instance already executes again has nothing to replicate.
      presumes(
        finding(
          'fail',
          'violation',
          `a retry through ${first.to} ${first.delayMs} ms after the commit through ${first.from} executed again (${counted}; retry answered ${statusOf(first.retry)}); second executions at delays ${delays.map((d) => `${d} ms`).join(', ')}; ${lagText}`,
          profile.cite.execution,
          pair(first),
          { ...facts, executions: first.count.executions, key: first.original.key, rootCause: EXECUTION_ACROSS_INSTANCES },
        ),
        ...(inferred ? (['single-execution', 'replay', 'replay-bytes'] as const) : (['single-execution'] as const)),
      ),
    );
  }
  const differs = rounds.find((r) => outcomeOf(r, ignore) === 'differs');
  if (differs) {
    findings.push(
      presumes(
        finding(
          'fail',
          'violation',
          `a retry through ${differs.to} ${differs.delayMs} ms after the commit through ${differs.from} answered ${statusOf(differs.retry)} with a response other than the one committed (${statusOf(differs.original)})${exactCount(differs.count) ? ', without a second execution' : ''}`,
          profile.cite.replay,
          pair(differs),
          facts,
        ),
        'replay',
      ),
    );
  }
  if (findings.length > 0) return findings;
  if (rounds.some((r) => outcomeOf(r, ignore) === 'unknown')) {
    return [
      finding(
        'skip',
        'violation',
        'no side-effect oracle: declare `identity` or `probe` on the endpoint, or give every instance a ledger, so a second execution behind an identical answer can be seen',
        profile.cite.execution,
        [],
        facts,
      ),
    ];
  }
  const conflicts = rounds.filter((r) => outcomeOf(r, ignore) === 'conflict').length;
  const others = instances
    .slice(1)
    .map((i) => i.name)
    .join(', ');
  return [
    finding(
      'pass',
      'violation',
      `${rounds.length} retries through ${others} after a commit through ${instances[0]!.name} (delays ${(facts.delaysMs as number[]).join('/')} ms) never executed again: ${rounds.length - conflicts} replayed${conflicts > 0 ? `, ${conflicts} answered 409` : ''}; ${lagText}`,
      profile.cite.execution,
      rounds[0] ? pair(rounds[0]) : [],
      facts,
    ),
  ];
}

export const failoverReplay = defineCheck<Options>({
  id: 'failover-replay',
  title: 'Failover replay',
  summary: 'Commit through the first target, retry the key through each other one after swept delays: replay or 409, never a second execution',
  options: Options,
  // Only where the scenario declares instances: `targets:` selects it by default (see audit/selection.ts).
  declaredOnly: true,
  runsWhen: 'the scenario or one of its endpoints declares `targets:` (and the scenario has no `checks:` section), or lists it under `checks:`',
  applies: appliesToInstances,
  async run(ctx) {
    const instances = instancesOf(ctx) as TargetInstance[];
    // Count-only ledgers: one shared ledger or one per instance? (see ledger-calibration.ts)
    const ledgers = await calibrateLedgers(ctx, instances);
    const [from, ...others] = instances;
    const rounds: FailoverRound[] = [];
    for (const delayMs of ctx.options.delaysMs) {
      for (const to of others) {
        for (let r = 1; r <= ctx.options.rounds && !ctx.signal.aborted; r++) {
          ctx.note(`commit via ${from!.name}, retry via ${to.name} after ${delayMs} ms (round ${r}/${ctx.options.rounds})`);
          rounds.push(await sendFailoverRound(ctx, from!, to, delayMs, ledgers.plan));
        }
      }
    }
    return withLedgerMode(judgeFailoverReplay(rounds, instances, ctx.profile, ctx.options.ignore), ledgers);
  },
});
