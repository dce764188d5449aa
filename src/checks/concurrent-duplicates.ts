// N copies of one request with one key, released together (last-byte sync). A correct server runs
// the side effect once and answers the others 409 (or replays, if they arrive after completion).
import { z } from 'zod';
import type { Exchange } from '../engine/exchange.js';
import { isSuccess, statusOf } from '../engine/exchange.js';
import type { ExecutionCount } from '../engine/oracle.js';
import type { Profile } from '../profiles/index.js';
import { is5xx, isMarkedReplay, statusTally } from './compare.js';
import { exchangeMeta } from './send.js';
import { finding, type Check, type Finding } from './types.js';

const Options = z.strictObject({
  copies: z.number().int().min(2).max(256).default(8),
  rounds: z.number().int().min(1).max(50).default(3),
});
type Options = z.output<typeof Options>;

export interface BurstRound {
  key: string;
  exchanges: Exchange[];
  count: ExecutionCount;
}

export function judgeConcurrentDuplicates(rounds: BurstRound[], profile: Profile): Finding[] {
  const all = rounds.flatMap((r) => r.exchanges);
  const copies = rounds[0]?.exchanges.length ?? 0;
  const facts = {
    rounds: rounds.length,
    copies,
    executionsPerRound: rounds.map((r) => r.count.executions),
    oracles: rounds[0]?.count.by ?? {},
    statuses: statusTally(all),
  };
  const findings: Finding[] = [];

  const worst = rounds.reduce<BurstRound | undefined>((w, r) => ((r.count.executions ?? 0) > (w?.count.executions ?? 0) ? r : w), undefined);
  if (worst && (worst.count.executions ?? 0) > 1) {
    findings.push({
      ...finding('fail', 'violation', `key executed ${worst.count.executions} times for ${copies} concurrent copies (${statusTally(worst.exchanges)})`,
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
  if (rounds.some((r) => r.count.executions === null)) {
    findings.push(finding('skip', 'violation', 'no side-effect oracle: declare `identity` or `probe` on the endpoint (or audit target self)',
      profile.cite.execution, [], facts));
  }
  if (findings.length > 0) return findings;
  const replays = all.filter((e) => isSuccess(e) && isMarkedReplay(e)).length;
  return [finding('pass', 'violation',
    `${rounds.length}×${copies} concurrent copies: one execution per key; others answered ${statusTally(all.filter((e) => !isSuccess(e) || isMarkedReplay(e))) || 'nothing'}${replays ? ' (replays after completion)' : ''}`,
    profile.cite.execution, worst ? worst.exchanges.slice(0, 2) : [], facts)];
}

export const concurrentDuplicates: Check<Options> = {
  id: 'concurrent-duplicates',
  title: 'Concurrent duplicates',
  summary: 'N copies with one key released together (last-byte sync): at most one execution, the rest 409',
  options: Options,
  async run(ctx) {
    const rounds: BurstRound[] = [];
    for (let r = 1; r <= ctx.options.rounds && !ctx.signal.aborted; r++) {
      ctx.note(`round ${r}/${ctx.options.rounds}: ${ctx.options.copies} copies`);
      const key = ctx.keys.next();
      const request = ctx.requests.build({ endpoint: ctx.endpoint, key });
      const items = Array.from({ length: ctx.options.copies }, (_, i) => ({
        request,
        meta: exchangeMeta(ctx, `copy ${i + 1}/${ctx.options.copies}`, key),
      }));
      const exchanges = await ctx.http.burst(items);
      rounds.push({ key, exchanges, count: await ctx.oracle.count(ctx.endpoint, key, exchanges) });
    }
    return judgeConcurrentDuplicates(rounds, ctx.profile);
  },
};
