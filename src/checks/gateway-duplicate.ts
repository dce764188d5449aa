// A retrying gateway between client and API: the fault proxy forwards one request upstream twice,
// both at once or `delayMs` apart (as after a per-try timeout), and the client gets the first
// answer. The key must still execute once: the copy is an in-flight duplicate (409) or arrives
// after completion (replay). Executions are counted by the ledger or a probe; the identity oracle
// cannot see the copy's answer, which only the proxy received.
import { judgeRounds, type RetryRound } from './chaos/consistency.js';
import { declaredFaults, describeFault, FAULT_KINDS } from './chaos/plan.js';
import { runRetryRound } from './chaos/round.js';
import type { FaultSpec, FaultSpecInput } from '../faults/index.js';
import { chaosOf, defineCheck, finding } from './api.js';

import { GatewayDuplicateOptions as Options } from '../scenario/check-options/gateway-duplicate.js';

export const gatewayDuplicate = defineCheck<Options>({
  id: 'gateway-duplicate',
  title: 'Gateway duplicate',
  summary: 'a gateway forwards one request twice (concurrently or delayed): still one execution',
  options: Options,
  declaredOnly: true,
  async run(ctx) {
    const chaos = chaosOf(ctx);
    const cite = ctx.profile.cite.execution;
    const declared = declaredFaults(ctx.endpoint, FAULT_KINDS['gateway-duplicate']);
    const specs: Array<FaultSpec | FaultSpecInput> =
      declared.length > 0
        ? declared
        : // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: the ternary widens otherwise
          ctx.options.delaysMs.map((delayMs) => ({ name: 'duplicate-upstream', delayMs }) as FaultSpecInput);
    const total = specs.length * ctx.options.rounds;
    const rounds: RetryRound[] = [];
    let n = 0;
    for (const [i, spec] of specs.entries()) {
      const proxy = await chaos.proxy([spec], `duplicate/${i}`);
      try {
        const label = describeFault(proxy.faults[0]!);
        for (let r = 1; r <= ctx.options.rounds && !ctx.signal.aborted; r++) {
          n++;
          chaos.emit({ type: 'inject', round: `round ${n}/${total}`, faults: [label] });
          const round = await runRetryRound(ctx, chaos, {
            process: `gateway-duplicate/${ctx.endpoint.name}/${n}`,
            label,
            proxy,
            firstTimeoutMs: ctx.scenario.defaults.timeoutMs,
            retryTimeoutMs: ctx.scenario.defaults.timeoutMs,
            exercised: (_first, events, statuses) =>
              events === 0
                ? `the fault was not injected (probability ${proxy.faults[0]!.probability})`
                : (statuses?.length ?? 0) < 2
                  ? `only ${statuses?.length ?? 0} copy reached the upstream`
                  : true,
          });
          if (!round) return [];
          rounds.push(round);
        }
      } finally {
        await proxy.close();
      }
      if (ctx.signal.aborted) break;
    }
    if (rounds.length === 0) return [finding('skip', 'observation', 'no round ran', cite, [])];
    const blind = rounds.every((r) => r.count.by.ledger === undefined && r.count.by.probe === undefined);
    const findings = judgeRounds(rounds, {
      what: 'gateway duplicate',
      cite,
      identity: ctx.endpoint.identity,
      ignore: ctx.options.ignore,
      facts: { upstreamStatuses: rounds.map((r) => r.upstreamStatuses ?? []), ...(blind ? { oracleBlind: true } : {}) },
    });
    if (blind && !findings.some((f) => f.verdict === 'fail')) {
      findings.push(
        finding(
          'skip',
          'violation',
          'gateway duplicate: only the identity oracle is available, and it cannot see the copy the proxy swallowed: declare a `probe` (or a ledger) to count executions',
          cite,
          [],
          { oracles: rounds[0]?.count.by ?? {} },
        ),
      );
    }
    return findings;
  },
});
