// The upstream commits, then the answer is lost on the way back: the fault proxy resets the
// connection (drop-response-after-upstream), holds it until the client gives up (stall-response),
// cuts the body short (truncate-body), answers a gateway error of its own (gateway-status), or (the
// control case) resets before the upstream saw anything (reset-before-upstream). The client retries
// with the same key and body under the scenario's retry policy: exactly one execution, and the
// final answer must be the committed result (identity equal; body equal to a repeat of it).
import { z } from 'zod';
import { judgeRounds, type RetryRound } from './chaos/consistency.js';
import { declaredFaults, describeFault, FAULT_KINDS } from './chaos/plan.js';
import { chaosOf } from './chaos/port.js';
import { runRetryRound } from './chaos/round.js';
import type { FaultSpec, FaultSpecInput } from '../faults/index.js';
import { finding, type Check } from './types.js';

const LostFault = z.enum(FAULT_KINDS['lost-response']);

const Options = z.strictObject({
  faults: z.array(LostFault).min(1).default(['drop-response-after-upstream', 'stall-response', 'truncate-body'])
    .describe('Faults to run one round each with (default options), when the endpoint declares none of them'),
  timeoutMs: z.number().int().positive().max(600_000).default(2_000)
    .describe('Client timeout of the first attempt: how long a stalled answer is waited for'),
  ignore: z.array(z.string().startsWith('/')).default([]).describe('JSON pointers ignored when comparing the final answer with its repeat'),
});
type Options = z.output<typeof Options>;

export const lostResponse: Check<Options> = {
  id: 'lost-response',
  title: 'Lost response',
  summary: 'the upstream commits, the answer is dropped, stalled or truncated; retries with the same key: one execution, the committed answer',
  options: Options,
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
          exercised: (first, events) => (events === 0 ? `the fault was not injected (probability ${proxy.faults[0]!.probability})`
            : first.outcome.kind === 'ok' ? `the first attempt still got its answer (${first.exchange.response?.status})` : true),
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
};
