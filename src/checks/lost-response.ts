// The upstream commits, then the answer is lost on the way back: the fault proxy resets the
// connection (drop-response-after-upstream), holds it until the client gives up (stall-response),
// cuts the body short (truncate-body), answers a gateway error of its own (gateway-status) or a 5xx
// as from a service failing after its commit (error-after-upstream), or (the control case) resets
// before the upstream saw anything (reset-before-upstream). The client retries
// with the same key and body under the scenario's retry policy: exactly one execution, and the
// final answer must be the committed result (identity equal; body equal to a repeat of it).
import { judgeRounds, type RetryRound } from './chaos/consistency.js';
import { declaredFaults, describeFault, FAULT_KINDS } from './chaos/plan.js';
import { runRetryRound } from './chaos/round.js';
import type { FaultSpec, FaultSpecInput } from '../faults/index.js';
import { chaosOf, defineCheck, finding } from './api.js';

import { LostResponseOptions as Options } from '../scenario/check-options/lost-response.js';

export const lostResponse = defineCheck<Options>({
  id: 'lost-response',
  title: 'Lost response',
  summary: 'the upstream commits, the answer is dropped, stalled or truncated; retries with the same key: one execution, the committed answer',
  options: Options,
  declaredOnly: true,
  async run(ctx) {
    const chaos = chaosOf(ctx);
    const cite = ctx.profile.cite.execution;
    const declared = declaredFaults(ctx.endpoint, FAULT_KINDS['lost-response']);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: the ternary widens otherwise
    const specs: Array<FaultSpec | FaultSpecInput> = declared.length > 0 ? declared : ctx.options.faults.map((name) => ({ name }) as FaultSpecInput);
    const rounds: RetryRound[] = [];
    for (const [i, spec] of specs.entries()) {
      if (ctx.signal.aborted) break;
      const proxy = await chaos.proxy([spec], `lost/${i}`);
      try {
        const label = describeFault(proxy.faults[0]!);
        chaos.emit({ type: 'inject', round: `fault ${i + 1}/${specs.length}`, faults: [label] });
        const round = await runRetryRound(ctx, chaos, {
          process: `lost-response/${ctx.endpoint.name}/${i + 1}`,
          label,
          proxy,
          firstTimeoutMs: ctx.options.timeoutMs,
          retryTimeoutMs: ctx.scenario.defaults.timeoutMs,
          exercised: (first, events) =>
            events === 0
              ? `the fault was not injected (probability ${proxy.faults[0]!.probability})`
              : first.outcome.kind === 'ok'
                ? `the first attempt still got its answer (${first.exchange.response?.status})`
                : true,
        });
        if (!round) return [];
        rounds.push(round);
      } finally {
        await proxy.close();
      }
    }
    if (rounds.length === 0) return [finding('skip', 'observation', 'no round ran', cite, [])];
    const facts = {
      timeoutMs: ctx.options.timeoutMs,
      policy: { maxAttempts: chaos.policy.maxAttempts, baseMs: chaos.policy.baseMs, maxDelayMs: chaos.policy.maxDelayMs, jitter: chaos.policy.jitter },
    };
    return judgeRounds(rounds, { what: 'lost response', cite, identity: ctx.endpoint.identity, ignore: ctx.options.ignore, facts });
  },
});
