// The client gives up at T ms while the server is still working, then retries with the same key and
// body (GUIDE section 6, "inject an upstream timeout after backend success, retry with the same key,
// verify exact replay"). The first attempt goes through the fault proxy, so the client's abort never
// reaches the upstream, which goes on and commits, as behind any gateway.
//
// In flight by construction: the handler's time is measured first, the client times out a quarter of
// the way into it, and the first retry goes out at once (no backoff) while the original is still
// running; later retries follow the scenario's retry policy. The proxy's timeline then confirms it:
// the original's answer reached the proxy after the retry was sent. A round where the retry landed
// after the commit only proves replay, so it is not counted as exercised (and is tried again).
// A correct server executes once, answers 409 while the original runs, then replays it.
import { judgeRounds, type RetryRound } from './chaos/consistency.js';
import { isTimeout } from './chaos/outcome.js';
import { calibrate, declaredFaults, describeFault, FAULT_KINDS, notSent } from './chaos/plan.js';
import type { ChaosProxy } from './chaos/port.js';
import type { PathRun } from './chaos/path.js';
import type { LedgerEntry } from '../engine/history.js';
import { runRetryRound, type Landing } from './chaos/round.js';
import type { FaultSpec } from '../faults/index.js';
import type { Finding } from './api.js';
import { chaosOf, defineCheck, finding } from './api.js';

import { TimeoutRetryOptions as Options } from '../scenario/check-options/timeout-retry.js';

/** Extra tries per round when the first attempt answered before the timeout, or its retry landed late (a scheduling hiccup). */
const EXTRA_TRIES = 2;

/** Where inside the handler's measured time the client gives up: early, so the retry has most of it left. */
const TIMEOUT_FRACTION = 0.25;

/** Fresh requests measured before the rounds. */
const CALIBRATIONS = 2;

/** The client timeout: past the proxy's fixed delay, a quarter of the way into the handler's time. */
export function inFlightTimeout(freshMs: number, beforeUpstreamMs = 0): number {
  const handler = Math.max(0, freshMs - beforeUpstreamMs);
  return Math.max(1, Math.round(beforeUpstreamMs + handler * TIMEOUT_FRACTION));
}

/**
 * Pure: where the first retry (attempt 2) landed. The target's ledger, when it has one, says when the
 * first execution committed; otherwise the proxy's record of when the upstream answered the original
 * (attempt 1, the only request of this key through the proxy) bounds it from above. The retry
 * landed in flight when it was sent before that moment.
 */
export function landingOf(path: PathRun, answers: ReturnType<ChaosProxy['upstreamAnswers']>, ledger?: LedgerEntry[]): Landing {
  const retry = path.attempts[1];
  if (!retry) return { landed: 'unknown', detail: 'no retry was sent' };
  const committed = (ledger ?? []).map((e) => e.executedAt).filter((t): t is number => t !== undefined);
  if (committed.length > 0) {
    const margin = Math.round((Math.min(...committed) - retry.invoke.at) * 10) / 10;
    return margin > 0
      ? { landed: 'in-flight', detail: `retry sent ${margin} ms before the first execution committed (ledger)` }
      : { landed: 'after-commit', detail: `retry sent ${-margin} ms after the first execution committed (ledger)` };
  }
  const answered = answers.find((a) => a.key === path.key);
  if (!answered) return { landed: 'unknown', detail: 'the proxy saw no answer to the original' };
  const sentAt = retry.invoke.at;
  const margin = Math.round((answered.at - sentAt) * 10) / 10;
  return margin > 0
    ? { landed: 'in-flight', detail: `retry sent ${margin} ms before the original's answer (${answered.status})` }
    : { landed: 'after-commit', detail: `retry sent ${-margin} ms after the original's answer (${answered.status})` };
}

export const timeoutRetry = defineCheck<Options>({
  id: 'timeout-retry',
  title: 'Timeout and retry',
  summary:
    'client times out a quarter into the handler, sends the first retry while the original still runs (confirmed from the timeline), then retries under the policy: one execution, the committed answer',
  options: Options,
  declaredOnly: true,
  async run(ctx) {
    const chaos = chaosOf(ctx);
    const declared = declaredFaults(ctx.endpoint, FAULT_KINDS['timeout-retry']);
    const faults: FaultSpec[] =
      declared.length > 0 ? declared : ctx.options.latencyMs > 0 ? [{ name: 'latency', ms: ctx.options.latencyMs, jitterMs: 0, probability: 1 }] : [];
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
        // The faster of two: a cold first request (JIT, connection setup) overstates the handler's time,
        // which would put the timeout late in it.
        let fastest = Number.POSITIVE_INFINITY;
        for (let i = 1; i <= CALIBRATIONS; i++) {
          const cal = await calibrate(ctx, chaos, { proxy, timeoutMs: retryTimeoutMs }, `timeout-retry/${ctx.endpoint.name}/calibrate-${i}`);
          if (notSent(cal.attempt.exchange)) return [];
          fastest = Math.min(fastest, cal.ms);
        }
        freshMs = Math.round(fastest * 1000) / 1000;
        timeoutMs = inFlightTimeout(fastest, beforeUpstreamMs);
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
            firstRetryAtOnce: true,
            landing: (path, ledger) => landingOf(path, proxy.upstreamAnswers(), ledger),
            exercised: (first) =>
              isTimeout(first.exchange)
                ? true
                : `the first attempt ${first.exchange.response ? `was answered ${first.exchange.response.status}` : `failed (${first.exchange.error})`} after ${Math.round(first.exchange.durationMs)} ms, before the ${timeoutMs} ms timeout`,
          });
          if (!round) return [];
          rounds.push(round);
          if (round.exercised) break;
        }
      }
      const facts = {
        timeoutMs,
        ...(freshMs !== undefined ? { freshRequestMs: freshMs } : {}),
        faults: proxy.faults.map(describeFault),
        policy: { maxAttempts: chaos.policy.maxAttempts, baseMs: chaos.policy.baseMs, maxDelayMs: chaos.policy.maxDelayMs, jitter: chaos.policy.jitter },
      };
      const findings: Finding[] = judgeRounds(rounds, { what: 'timeout and retry', cite, identity: ctx.endpoint.identity, ignore: ctx.options.ignore, facts });
      return findings.length > 0 ? findings : [finding('skip', 'observation', 'no round ran', cite, [])];
    } finally {
      await proxy.close();
    }
  },
});
