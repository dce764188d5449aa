// Before the instance checks judge anything: are the instances' ledgers one ledger or several? A ledger
// that lists execution ids merges by id whatever it is; one that only answers a count cannot. So one
// real request (a fresh key) goes through an instance, and every ledger is read for that key: the
// ledgers that show its execution are one ledger (shared: read once), those that show nothing are
// others (separate: their counts add up). What cannot be decided is counted as the lower bound, and
// a pass resting on it becomes an error: a false pass is worse than no verdict.
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import type { LedgerMode, LedgerPlan, LedgerReading } from '../engine/ledger-merge.js';
import type { CheckContext, Finding, TargetInstance } from './api.js';
import { ledgersOf, onInstance } from './instances.js';
import { exchangeMeta } from './send.js';

export interface LedgerCalibration {
  /** How executions across the ledgers are counted; undefined without any ledger. */
  mode?: LedgerMode;
  /** What oracle.count reads and merges with. */
  plan: LedgerPlan;
  /** Why the mode is 'uncertain'. */
  why?: string;
  /** The calibration requests and what each ledger showed, for facts. */
  facts?: Record<string, unknown>;
}

/** One calibration request through the instance owning ledger `via`, and every ledger's reading for its key. */
export interface CalibrationRound {
  via: number;
  request: Exchange;
  readings: Array<LedgerReading | undefined>;
}

/** What the calibration rounds decided, pure. `names[i]` names ledger i (its first instance). */
export function decideLedgers(rounds: CalibrationRound[], names: string[]): { mode: LedgerMode; groups?: number[][]; why?: string } {
  const counted = byCounts(rounds, names);
  // Ledgers that list ids merge by id, whichever way they are shared; the groups the counts show
  // still serve a later reading without ids (else it would count as the lower bound).
  const byId = rounds[0]?.readings.every((r) => r?.ids !== undefined) === true && rounds[0].readings.some((r) => (r?.ids?.length ?? 0) > 0);
  if (byId) return counted.groups ? { mode: 'by-id', groups: counted.groups } : { mode: 'by-id' };
  return counted;
}

/** Groups of ledgers from the counts alone: those that showed a calibration execution are one ledger with the one it was sent through. */
function byCounts(rounds: CalibrationRound[], names: string[]): { mode: LedgerMode; groups?: number[][]; why?: string } {
  const n = names.length;
  const uncertain = (why: string) => ({ mode: 'uncertain' as const, why });
  if (rounds.length === 0) return uncertain('no calibration request was sent');
  const groups: number[][] = [];
  const assigned = new Set<number>();
  for (const round of rounds) {
    const name = names[round.via]!;
    if (!isSuccess(round.request))
      return uncertain(`the calibration request through ${name} answered ${statusOf(round.request)}, so no execution is known to compare the ledgers with`);
    const missing = round.readings.findIndex((r) => r === undefined);
    if (missing >= 0) return uncertain(`${names[missing]}'s ledger gave no count for the calibration key`);
    const own = round.readings[round.via]!.n;
    if (own < 1) return uncertain(`${name}'s ledger did not show the execution of the calibration request sent through ${name}`);
    const group = [round.via];
    for (let i = 0; i < n; i++) {
      if (i === round.via || assigned.has(i)) continue;
      const seen = round.readings[i]!.n;
      if (seen === own) group.push(i);
      else if (seen !== 0)
        return uncertain(
          `${names[i]}'s ledger showed ${seen} execution(s) of the calibration key, ${name}'s (where it was sent) ${own}: neither the same ledger nor another one`,
        );
    }
    // A ledger counted in an earlier group cannot show this key: it is another ledger.
    for (const i of assigned) {
      if (round.readings[i]!.n !== 0) return uncertain(`${names[i]}'s ledger showed the calibration keys sent through two ledgers that do not share them`);
    }
    group.forEach((i) => assigned.add(i));
    groups.push(group.sort((a, b) => a - b));
  }
  // The ledger nobody sent through, having shown none of the keys, is one of its own; two or more
  // such ledgers were never compared with each other.
  const left = names.map((_, i) => i).filter((i) => !assigned.has(i));
  if (left.length > 1) return uncertain(`the calibration stopped before the ledgers of ${left.map((i) => names[i]).join(', ')} were compared`);
  if (left.length === 1) groups.push(left);
  return { mode: groups.length === 1 ? 'shared' : 'separate', groups };
}

/**
 * Which of the instances' ledgers are one ledger, and whether every instance's executions show in one.
 * No request with fewer than two distinct ledger URLs; otherwise one per group found, except that the
 * last ungrouped ledger needs none (two instances: one request). An instance without a ledger (a
 * `serve` without --admin, a ledger that was not detected) gets one request of its own: when no
 * ledger shows it, its executions are invisible and every count is a lower bound (`uncertain`).
 */
export async function calibrateLedgers(ctx: CheckContext<unknown>, instances: TargetInstance[]): Promise<LedgerCalibration> {
  const calibrated = await calibrateLedgerUrls(ctx, instances);
  const blind = instances.filter((i) => i.ledgerUrl === undefined);
  const { urls } = calibrated.plan;
  // Without any ledger the count rests on identity or probe, which see every instance alike.
  if (urls.length === 0 || blind.length === 0) return calibrated;
  const names = urls.map((u) => instances.find((i) => i.ledgerUrl === u)!.name);
  const rounds: Array<{ via: string; key: string; answered: string; readings: Record<string, number | null> }> = [];
  const unseen: string[] = [];
  for (const instance of blind) {
    if (ctx.signal.aborted) {
      unseen.push(instance.name);
      continue;
    }
    const key = ctx.keys.next();
    const request = ctx.requests.build({ endpoint: ctx.endpoint, key });
    const sent = await ctx.http.send(
      onInstance(ctx, request, instance),
      exchangeMeta(ctx, `ledger calibration via ${instance.name} (no ledger of its own)`, key),
    );
    const { readings } = await ctx.oracle.readLedgers(ctx.endpoint, key, urls, undefined, 'ledger calibration');
    rounds.push({
      via: instance.name,
      key,
      answered: statusOf(sent),
      readings: Object.fromEntries(readings.map((x, i): [string, number | null] => [names[i]!, x === undefined ? null : x.n])),
    });
    // Seen: it executed the request, and a ledger counted that execution.
    if (!isSuccess(sent) || !readings.some((r) => r !== undefined && r.n > 0)) unseen.push(instance.name);
  }
  const facts = { ...calibrated.facts, unledgeredCalibration: rounds };
  if (unseen.length === 0) return { ...calibrated, facts };
  const why = `no ledger showed the calibration request sent through ${unseen.join(', ')}, which ${unseen.length > 1 ? 'have' : 'has'} no ledger of ${unseen.length > 1 ? 'their' : 'its'} own: executions there are not counted`;
  return {
    mode: 'uncertain',
    plan: { ...calibrated.plan, unseen },
    why: calibrated.mode === 'uncertain' && calibrated.why ? `${calibrated.why}; ${why}` : why,
    facts,
  };
}

async function calibrateLedgerUrls(ctx: CheckContext<unknown>, instances: TargetInstance[]): Promise<LedgerCalibration> {
  const urls = ledgersOf(instances);
  if (urls.length === 0) return { plan: { urls } };
  if (urls.length === 1) return { mode: 'shared', plan: { urls, groups: [[0]] } };
  const owner = urls.map((u) => instances.find((i) => i.ledgerUrl === u)!);
  const names = owner.map((i) => i.name);
  const rounds: CalibrationRound[] = [];
  const grouped = new Set<number>();
  for (let via = 0; via < urls.length && !ctx.signal.aborted; via++) {
    if (grouped.has(via)) continue;
    // The last ledger left over is a group of its own once every other one is grouped.
    if (rounds.length > 0 && urls.length - grouped.size === 1) break;
    const key = ctx.keys.next();
    const request = ctx.requests.build({ endpoint: ctx.endpoint, key });
    const sent = await ctx.http.send(onInstance(ctx, request, owner[via]!), exchangeMeta(ctx, `ledger calibration via ${names[via]}`, key));
    const { readings } = await ctx.oracle.readLedgers(ctx.endpoint, key, urls, undefined, 'ledger calibration');
    rounds.push({ via, request: sent, readings });
    const decided = decideLedgers(rounds, names);
    if (decided.mode === 'uncertain' || decided.mode === 'by-id') break;
    // Everything that showed this key is grouped; continue with the first ledger that did not.
    const own = readings[via]!.n;
    readings.forEach((r, i) => r && r.n === own && grouped.add(i));
    grouped.add(via);
  }
  const decided = decideLedgers(rounds, names);
  const facts = {
    ledgerCalibration: rounds.map((r) => ({
      via: names[r.via],
      key: r.request.key,
      answered: statusOf(r.request),
      readings: Object.fromEntries(r.readings.map((x, i): [string, number | null] => [names[i]!, x === undefined ? null : x.n])),
    })),
    ...(decided.groups && decided.mode === 'separate' && decided.groups.some((g) => g.length > 1)
      ? { ledgerGroups: decided.groups.map((g) => g.map((i) => names[i])) }
      : {}),
  };
  return {
    mode: decided.mode,
    plan: decided.groups ? { urls, groups: decided.groups } : { urls },
    ...(decided.why ? { why: decided.why } : {}),
    facts,
  };
}

/**
 * The findings with the ledger mode in their facts; when the calibration could not decide, a pass
 * (which rests on a lower bound of the executions) becomes an error that says why.
 */
export function withLedgerMode(findings: Finding[], calibration: LedgerCalibration): Finding[] {
  if (calibration.mode === undefined) return findings;
  return findings.map((f) => {
    const facts = { ...f.facts, ledgers: calibration.mode, ...calibration.facts };
    if (calibration.mode !== 'uncertain' || f.verdict !== 'pass') return { ...f, facts };
    return {
      ...f,
      verdict: 'error',
      message: calibration.plan.unseen?.length
        ? `not every instance's executions can be counted (${calibration.why ?? 'unknown'}): the count is a lower bound, so a pass is unproven (it would have said: ${f.message})`
        : `the instances' ledgers answer counts only, and whether they are one ledger or several could not be decided (${calibration.why ?? 'unknown'}): executions were counted as the lower bound (the highest single ledger), so a pass is unproven (it would have said: ${f.message})`,
      facts,
    };
  });
}
