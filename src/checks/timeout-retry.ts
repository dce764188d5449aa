// The client gives up at T ms while the server is still working, then retries with the same key and
// body under the scenario's retry policy (GUIDE section 6, "inject an upstream timeout after backend
// success, retry with the same key, verify exact replay"). The first attempt goes through the fault
// proxy, so the client's abort never reaches the upstream, which goes on and commits, as behind any
// gateway. A correct server executes once, answers 409 while the original runs, then replays it.
import { judgeRounds, type RetryRound } from './chaos/consistency.js';
import { isTimeout } from './chaos/outcome.js';
import { calibrate, declaredFaults, describeFault, FAULT_KINDS, midFlightTimeout, notSent } from './chaos/plan.js';
import { runRetryRound } from './chaos/round.js';
import type { FaultSpec } from '../faults/index.js';
import type { Finding } from './api.js';
import { chaosOf, defineCheck, finding } from './api.js';

import { TimeoutRetryOptions as Options } from '../scenario/check-options/timeout-retry.js';

/** Extra tries per round when the first attempt answered before the timeout (a scheduling hiccup). */
const EXTRA_TRIES = 2;

export const timeoutRetry = defineCheck<Options>({
  id: 'timeout-retry',
  title: 'Timeout and retry',
  summary: 'client times out mid-processing, retries with the same key under the retry policy: one execution, the committed answer',
  options: Options,
  declaredOnly: true,
  async run(ctx) {
    const chaos = chaosOf(ctx);
    const declared = declaredFaults(ctx.endpoint, FAULT_KINDS['timeout-retry']);
    const faults: FaultSpec[] = declared.length > 0 ? declared
      : ctx.options.latencyMs > 0 ? [{ name: 'latency', ms: ctx.options.latencyMs, jitterMs: 0, probability: 1 }] : [];
    const proxy = await chaos.proxy(faults, 'timeout');
    const cite = ctx.profile.cite.execution;
    try {
      const retryTimeoutMs = ctx.scenario.defaults.timeoutMs;
      // The latency a proxy adds before the upstream sees anything: the timeout must fall after it.
      const latencies = proxy.faults.filter((f) => f.name === 'latency').map((f) => (f as unknown as { ms: number }).ms);
      const beforeUpstreamMs = latencies.length > 0 ? Math.min(...latencies) : 0;
      let timeoutMs = ctx.options.timeoutMs;
      let freshMs: number | undefined;
      if (timeoutMs === undefined) {
        ctx.note('measuring a fresh request');
        const cal = await calibrate(ctx, chaos, { proxy, timeoutMs: retryTimeoutMs }, `timeout-retry/${ctx.endpoint.name}/calibrate`);
        if (notSent(cal.attempt.exchange)) return [];
        freshMs = Math.round(cal.ms * 1000) / 1000;
        timeoutMs = midFlightTimeout(cal.ms, beforeUpstreamMs);
      }
      const injected = [`client timeout ${timeoutMs} ms`, ...proxy.faults.map(describeFault)];
      const rounds: RetryRound[] = [];
      let tries = 0;
      for (let r = 1; r <= ctx.options.rounds && !ctx.signal.aborted; r++) {
        for (let extra = 0; extra <= EXTRA_TRIES && !ctx.signal.aborted; extra++) {
          tries++;
          chaos.emit({ type: 'inject', round: `round ${r}/${ctx.options.rounds}`, faults: injected });
          const round = await runRetryRound(ctx, chaos, {
            process: `timeout-retry/${ctx.endpoint.name}/${tries}`,
            label: `client timeout ${timeoutMs} ms`,
            proxy,
            firstTimeoutMs: timeoutMs,
            retryTimeoutMs,
            exercised: (first) => (isTimeout(first.exchange) ? true
              : `the first attempt ${first.exchange.response ? `was answered ${first.exchange.response.status}` : `failed (${first.exchange.error})`} after ${Math.round(first.exchange.durationMs)} ms, before the ${timeoutMs} ms timeout`),
          });
          if (!round) return [];
          rounds.push(round);
          if (round.exercised) break;
        }
      }
      const facts = {
        timeoutMs, ...(freshMs !== undefined ? { freshRequestMs: freshMs } : {}), faults: proxy.faults.map(describeFault),
        policy: { maxAttempts: chaos.policy.maxAttempts, baseMs: chaos.policy.baseMs, maxDelayMs: chaos.policy.maxDelayMs, jitter: chaos.policy.jitter },
      };
      const findings: Finding[] = judgeRounds(rounds, { what: 'timeout and retry', cite, identity: ctx.endpoint.identity, ignore: ctx.options.ignore, facts });
      return findings.length > 0 ? findings : [finding('skip', 'observation', 'no round ran', cite, [])];
    } finally {
      await proxy.close();
    }
  },
});
