// N copies of one request with one key, released together (last-byte sync). A correct server runs
// the side effect once and answers the others 409 (or replays, if they arrive after completion).
// `copies` may be a list, sweeping burst sizes over several rounds each, to report the distribution
// of executions per key rather than one lucky or unlucky sample.
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import type { ExecutionCount } from '../engine/oracle.js';
import type { Profile } from '../profiles/index.js';
import { is5xx, isMarkedReplay, statusTally } from './compare.js';
import { exchangeMeta } from './send.js';
import { defineCheck, finding, type Finding } from './api.js';

import { ConcurrentDuplicatesOptions as Options } from '../scenario/check-options/concurrent-duplicates.js';

export interface BurstRound {
  key: string;
  exchanges: Exchange[];
  count: ExecutionCount;
}

export interface SweepRow {
  copies: number;
  rounds: number;
  /** How many rounds ended with this many executions, e.g. { "1": 3 }. */
  executions: Record<string, number>;
  /** Largest arrival spread the server reported across the rounds, in ms (last byte to last byte). */
  maxArrivalSpreadMs?: number;
}

/** Arrival spread of one burst as the server saw it, when its ledger reports arrivals. */
export function arrivalSpreadMs(round: BurstRound): number | undefined {
  const a = round.count.arrivals;
  if (!a || a.length < 2) return undefined;
  return Math.round((Math.max(...a) - Math.min(...a)) * 1000) / 1000;
}

export function sweepTable(rounds: BurstRound[]): SweepRow[] {
  const rows = new Map<number, SweepRow>();
  for (const r of rounds) {
    const copies = r.exchanges.length;
    const row = rows.get(copies) ?? { copies, rounds: 0, executions: {} };
    row.rounds += 1;
    const n = String(r.count.executions ?? 'unknown');
    row.executions[n] = (row.executions[n] ?? 0) + 1;
    const spread = arrivalSpreadMs(r);
    if (spread !== undefined) row.maxArrivalSpreadMs = Math.max(row.maxArrivalSpreadMs ?? 0, spread);
    rows.set(copies, row);
  }
  return [...rows.values()];
}

export function judgeConcurrentDuplicates(rounds: BurstRound[], profile: Profile): Finding[] {
  const all = rounds.flatMap((r) => r.exchanges);
  const facts = {
    sweep: sweepTable(rounds),
    oracles: rounds[0]?.count.by ?? {},
    statuses: statusTally(all),
  };
  const findings: Finding[] = [];

  const worst = rounds.reduce<BurstRound | undefined>((w, r) => ((r.count.executions ?? 0) > (w?.count.executions ?? 0) ? r : w), undefined);
  if (worst && (worst.count.executions ?? 0) > 1) {
    const doubled = rounds.filter((r) => (r.count.executions ?? 0) > 1).length;
    findings.push({
      ...finding('fail', 'violation',
        `key executed ${worst.count.executions} times for ${worst.exchanges.length} concurrent copies (${statusTally(worst.exchanges)}); ${doubled} of ${rounds.length} bursts executed more than once`,
        profile.cite.execution, worst.exchanges, facts),
      concurrent: true,
    });
  }
  const fiveHundreds = all.filter(is5xx);
  if (fiveHundreds.length > 0) {
    findings.push(finding('fail', 'violation', `${fiveHundreds.length} concurrent duplicate(s) answered with a 5xx instead of a conflict`,
      profile.cite.inFlight, fiveHundreds.slice(0, 3), facts));
  }
  const unanswered = all.filter((e) => !e.response);
  if (unanswered.length > 0) {
    findings.push(finding('error', 'deviation', `${unanswered.length} copies got no response (${unanswered[0]!.error})`, profile.cite.inFlight, unanswered.slice(0, 3), facts));
  }
  if (!all.some(isSuccess)) {
    findings.push(finding('error', 'deviation', `no copy succeeded (${statusTally(all)}): check the endpoint's body, credentials and key format`,
      profile.cite.execution, all.slice(0, 2), facts));
    return findings;
  }
  const badLosers = all.filter((e) => e.response && !isSuccess(e) && !is5xx(e) && !profile.expect.inFlight.includes(e.response.status));
  if (badLosers.length > 0) {
    findings.push(finding('fail', 'deviation',
      `in-flight duplicates answered ${statusOf(badLosers[0]!)} where ${profile.id} expects ${profile.expect.inFlight.join(' or ')}`,
      profile.cite.inFlight, badLosers.slice(0, 3), facts));
  }
  const blind = rounds.filter((r) => r.count.executions === null);
  if (blind.length > 0) {
    // Without an oracle, copies that all succeeded are ambiguous (replays need not be marked under
    // every profile), but different bodies for one key cannot both be the stored response.
    const divergent = blind.find((r) => new Set(r.exchanges.filter(isSuccess).map((e) => e.response!.body.toString('base64'))).size > 1);
    if (divergent) {
      findings.push({
        ...finding('fail', 'violation', `${divergent.exchanges.filter(isSuccess).length} concurrent copies succeeded with different bodies for one key: it executed more than once`,
          profile.cite.execution, divergent.exchanges, facts),
        concurrent: true,
      });
    } else {
      const probeError = blind.map((r) => r.count.probeError).find((e) => e !== undefined);
      findings.push(probeError
        ? finding('error', 'violation', `the side-effect probe failed (${probeError}), so executions cannot be counted`, profile.cite.execution, [], facts)
        : finding('skip', 'violation', 'no side-effect oracle: declare `identity` or `probe` on the endpoint (or audit target self)', profile.cite.execution, [], facts));
    }
  }
  if (findings.length > 0) return findings;
  const sizes = [...new Set(rounds.map((r) => r.exchanges.length))].join('/');
  const spreads = facts.sweep.map((row) => row.maxArrivalSpreadMs).filter((s): s is number => s !== undefined);
  const spread = spreads.length > 0 ? `, arrivals within ${Math.max(...spreads).toFixed(3)} ms` : '';
  return [finding('pass', 'violation',
    `${rounds.length} bursts of ${sizes} copies: one execution per key${spread}; others answered ${statusTally(all.filter((e) => !isSuccess(e) || isMarkedReplay(e))) || 'nothing'}`,
    profile.cite.execution, worst ? worst.exchanges.slice(0, 2) : [], facts)];
}

export const concurrentDuplicates = defineCheck<Options>({
  id: 'concurrent-duplicates',
  title: 'Concurrent duplicates',
  summary: 'N copies with one key released together (last-byte sync): at most one execution, the rest 409',
  options: Options,
  async run(ctx) {
    const sizes = Array.isArray(ctx.options.copies) ? ctx.options.copies : [ctx.options.copies];
    const rounds: BurstRound[] = [];
    for (const copies of sizes) {
      for (let r = 1; r <= ctx.options.rounds && !ctx.signal.aborted; r++) {
        ctx.note(`${copies} copies, round ${r}/${ctx.options.rounds}`);
        const key = ctx.keys.next();
        const request = ctx.requests.build({ endpoint: ctx.endpoint, key });
        const items = Array.from({ length: copies }, (_, i) => ({ request, meta: exchangeMeta(ctx, `copy ${i + 1}/${copies}`, key) }));
        const exchanges = await ctx.http.burst(items);
        rounds.push({ key, exchanges, count: await ctx.oracle.count(ctx.endpoint, key, exchanges) });
      }
    }
    return judgeConcurrentDuplicates(rounds, ctx.profile);
  },
});
