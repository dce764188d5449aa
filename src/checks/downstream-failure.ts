// The dependency fails after committing: the fault proxy in front of the recorder forwards the call
// (B records it: its side effect happened), then answers the app 5xx instead of B's answer, or
// resets the connection, so the app never learns the outcome. The fault is armed on the proxy for
// the next call only (a one-shot) and disarmed once the client's first request is answered, so no
// other call, of this check or another, ever gets it. The client retries with
// the same key: the dependency must not see a second side effect (no second call, or the same key
// on every call). What the app answered its own client (an error, a replay of that error, a
// success after the retry) is reported, since a charge the client was told failed is a support case.
import type { Exchange } from '../core/exchange.js';
import { statusOf } from '../core/exchange.js';
import type { RecordedCall } from '../downstream/index.js';
import { sleep } from '../engine/sleep.js';
import type { FaultEvent, FaultSpecBase } from '../faults/index.js';
import { failureFault } from '../scenario/downstream.js';
import { DownstreamFailureOptions as Options } from '../scenario/check-options/downstream-failure.js';
import { defineCheck, finding, type Finding } from './api.js';
import { callFact, describeCalls, downstreamApplies, effectsOf, ownedBy as inconclusive, recording } from './downstream/calls.js';
import { send } from './send.js';

const CITE = 'GUIDE section 6: failure simulation plan, "validate downstream side-effect dedupe"';

export interface FailureRun {
  /** The fault armed for B's first call (error-after-upstream or drop-response-after-upstream, by `failure:`). */
  failure: FaultSpecBase;
  /** The proxy's event when the fault acted on a call (undefined: no call took it). */
  injected: FaultEvent | undefined;
  /** The client's first request, then its retries (same key and body). */
  exchanges: Exchange[];
  calls: RecordedCall[];
}

const statusOf5xx = (f: FaultSpecBase): number | undefined => {
  const status = (f as FaultSpecBase & { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
};

/** What the app got instead of B's answer: "an injected 503" or "a reset connection". */
const describeFailure = (f: FaultSpecBase): string => {
  const status = statusOf5xx(f);
  return status === undefined ? 'a reset connection' : `an injected ${status}`;
};

/** What the app told its client, attempt by attempt: "502, then 201 on retry 1". */
export function appAnswers(exchanges: readonly Exchange[]): string {
  return exchanges.map((e, i) => `${statusOf(e)}${i === 0 ? '' : ` on retry ${i}`}`).join(', then ');
}

/** Pure: the verdict on one dependency after it failed after committing. */
export function judgeDownstreamFailure(dep: { name: string; url: string }, run: FailureRun): Finding[] {
  const label = `${dep.name} (${dep.url})`;
  const e = effectsOf(run.calls);
  const first = run.exchanges[0];
  const last = run.exchanges[run.exchanges.length - 1];
  const answers = appAnswers(run.exchanges);
  const facts: Record<string, unknown> = {
    downstream: dep.name,
    failure: statusOf5xx(run.failure) ?? 'drop',
    fault: run.failure.name,
    // The proxy's record of the injection: what B answered before the fault replaced it, and when.
    injected: run.injected ? { upstreamStatuses: run.injected.upstreamStatuses ?? [], at: new Date(run.injected.at).toISOString() } : null,
    appAnswers: run.exchanges.map((x) => (x.response ? x.response.status : (x.error ?? 'no answer'))),
    ...e,
    calls: run.calls.map(callFact),
  };
  if (run.calls.length === 0) {
    return [
      finding(
        'error',
        'deviation',
        `${label} recorded no call: is the app configured to call it (and does this endpoint call it)?`,
        CITE,
        run.exchanges,
        facts,
      ),
    ];
  }
  if (!run.injected) {
    return [
      finding(
        'error',
        'deviation',
        `${label} was armed to fail (${run.failure.name}), but the fault proxy did not inject it into the first call (answered ${run.calls[0]!.answer})`,
        CITE,
        run.exchanges,
        facts,
      ),
    ];
  }
  if (e.effects > 1) {
    const f = finding(
      'fail',
      'violation',
      `${label} committed, then the app got ${describeFailure(run.failure)} instead of its answer; the client's retry reached it again as a second side effect (${describeCalls(run.calls)}); the app answered ${answers}`,
      CITE,
      run.exchanges,
      facts,
    );
    // Missing or per-attempt keys are root causes the propagation and dedupe checks own.
    if (e.keys.length === 0) return [inconclusive(f, 'downstream-propagation', 'the calls carried no key at all')];
    if (e.keys.length > 1) return [inconclusive(f, 'downstream-dedupe', 'the key changed between attempts')];
    return [f];
  }
  const outcome =
    last?.response && last.response.status < 300
      ? 'the retry succeeded'
      : last?.response && first?.response && last.response.status === first.response.status
        ? 'the retry got the same answer'
        : 'the client was left with an error';
  return [
    finding(
      'pass',
      'violation',
      `${label} committed, then the app got ${describeFailure(run.failure)} instead of its answer: one side effect (${describeCalls(run.calls)}); the app answered its client ${answers} (${outcome})`,
      CITE,
      run.exchanges,
      { ...facts, outcome },
    ),
  ];
}

export const downstreamFailure = defineCheck<Options>({
  id: 'downstream-failure',
  title: 'Downstream failure after commit',
  summary: "the dependency commits, then fails (5xx or a cut connection); the client's retries must not cause a second side effect; the app's answers reported",
  options: Options,
  declaredOnly: true,
  applies: (ctx) => downstreamApplies(ctx),
  async run(ctx) {
    const findings: Finding[] = [];
    for (const b of ctx.downstream!.forEndpoint(ctx.endpoint.name)) {
      if (ctx.signal.aborted) break;
      const failure = failureFault(b.declared.failure);
      const key = ctx.keys.next();
      const body = ctx.requests.renderBody(ctx.endpoint, { key });
      let injected: FaultEvent | undefined;
      const { value: exchanges, calls } = await recording([b], async () => {
        const armed = b.proxy.injectNext(failure);
        let first: Exchange;
        try {
          first = await send(ctx, `${b.name} fails after commit: request`, { key, ...(body ? { body } : {}) });
        } finally {
          // The one call under test is over: a fault no call took must not reach another check's.
          armed.cancel();
          injected = armed.event;
        }
        const out = [first];
        for (let i = 1; i <= ctx.options.retries && !ctx.signal.aborted; i++) {
          const prev = out[out.length - 1]!;
          // Retry what a client retries: no answer, a 5xx or a 409 (still in flight).
          if (prev.response && prev.response.status < 500 && prev.response.status !== 409) break;
          await sleep(ctx.options.retryDelayMs, ctx.signal);
          out.push(await send(ctx, `${b.name} fails after commit: retry ${i}`, { key, ...(body ? { body } : {}) }));
        }
        return out;
      });
      findings.push(...judgeDownstreamFailure({ name: b.name, url: b.url }, { failure, injected, exchanges, calls: calls.get(b.name) ?? [] }));
    }
    return findings;
  },
});
