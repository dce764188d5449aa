// The original request is abandoned mid-flight: the client disconnects while the server processes
// it, as when a worker dies with its connection (the reference server then abandons the request and
// leaves its claim until the lease expires, GUIDE section 1 row 10). The same request is then polled
// every pollMs with the same key: 409 may persist for the declared lease, after which the key must
// become usable again, and still at most one execution. Reports how long 409 persisted.
import { compareBodies, statusTally } from './compare.js';
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import { counterexampleSeqs, deriveExecutions, minimalCounterexample } from './chaos/derive.js';
import { readOracle } from './chaos/observe.js';
import { isTimeout } from './chaos/outcome.js';
import { sendAttempt, type PathAttempt } from './chaos/path.js';
import { sequenceOf } from './chaos/sequence.js';
import { calibrate, midFlightTimeout, notSent } from './chaos/plan.js';
import type { TargetSettings } from './chaos/port.js';
import type { HistoryOp, LedgerEntry } from '../engine/history.js';
import type { ExecutionCount } from '../engine/oracle.js';
import { sleep } from '../engine/sleep.js';
import type { Profile } from '../profiles/index.js';
import { chaosOf, defineCheck, finding, presumes, type Finding } from './api.js';

import { InFlightRecoveryOptions as Options } from '../scenario/check-options/in-flight-recovery.js';

export const DEFAULT_LEASE_MS = 30_000;

export interface LeaseSources {
  option?: number | undefined;
  policy?: number | undefined;
  self?: number | undefined;
  /** What a reference target reports (0 there means "claims never expire", which declares nothing). */
  reported?: number | undefined;
}

/** The lease to grade against, and where it was declared. */
export function resolveLease(s: LeaseSources): { leaseMs: number; source: string } {
  if (s.option !== undefined) return { leaseMs: s.option, source: 'check option leaseMs' };
  if (s.policy !== undefined) return { leaseMs: s.policy, source: 'endpoint policy.lease' };
  if (s.self !== undefined) return { leaseMs: s.self, source: 'scenario self.leaseMs' };
  if (s.reported !== undefined && s.reported > 0) return { leaseMs: s.reported, source: 'lease reported by the target' };
  return { leaseMs: DEFAULT_LEASE_MS, source: 'default' };
}

export type RecoveryStop = 'recovered' | 'deadline' | 'rejected' | 'aborted';

export interface RecoveryObservation {
  key: string;
  leaseMs: number;
  leaseSource: string;
  marginMs: number;
  pollMs: number;
  abandonAfterMs: number;
  original: Exchange;
  polls: Exchange[];
  stoppedBy: RecoveryStop;
  verify?: Exchange;
  count: ExecutionCount;
  ledger?: LedgerEntry[];
  ops: HistoryOp[];
  ignore?: string[];
}

const end = (e: Exchange): number => e.startedAt + e.durationMs;
const r3 = (n: number): number => Math.round(n * 1000) / 1000;

/** Figures of a recovery: how long 409 persisted, and when the key answered again. */
export function recoveryFigures(obs: RecoveryObservation, profile: Profile): Record<string, unknown> {
  const conflicts = obs.polls.filter((p) => p.response && profile.expect.inFlight.includes(p.response.status));
  const recovered = obs.polls.find(isSuccess);
  const abandonedAt = end(obs.original);
  const lastConflict = conflicts.at(-1);
  return {
    leaseMs: obs.leaseMs,
    leaseSource: obs.leaseSource,
    marginMs: obs.marginMs,
    pollMs: obs.pollMs,
    abandonAfterMs: obs.abandonAfterMs,
    polls: obs.polls.length,
    statuses: statusTally(obs.polls),
    conflicts: conflicts.length,
    /** From the disconnect to the end of the last 409. */
    conflictPersistedMs: lastConflict ? r3(Math.max(0, end(lastConflict) - abandonedAt)) : 0,
    /** From the original's start (its claim) to the key answering with a success. */
    recoveryMs: recovered ? r3(end(recovered) - obs.original.startedAt) : null,
    /** The abandoned original is attempt 1; polls follow. */
    attemptsUntilSuccess: recovered ? obs.polls.indexOf(recovered) + 2 : null,
    retrySuccess: recovered !== undefined,
    stoppedBy: obs.stoppedBy,
  };
}

export function judgeInFlightRecovery(obs: RecoveryObservation, profile: Profile): Finding[] {
  const cite = profile.cite.inFlight;
  const facts: Record<string, unknown> = { ...recoveryFigures(obs, profile), key: obs.key, oracles: obs.count.by };
  const derived = deriveExecutions(obs.ops).get(obs.key);
  const counts = [obs.count.executions, derived?.executions ?? null, obs.ledger?.length ?? null].filter((n): n is number => n !== null);
  const executions = counts.length > 0 ? Math.max(...counts) : null;
  facts.executions = executions;
  const conflicts = obs.polls.filter((p) => p.response && profile.expect.inFlight.includes(p.response.status));
  const recovered = obs.polls.find(isSuccess);
  const evidence = [obs.original, conflicts[0], conflicts.at(-1), recovered ?? obs.polls.at(-1), obs.verify].filter(
    (e, i, all): e is Exchange => e !== undefined && all.indexOf(e) === i,
  );
  const findings: Finding[] = [];

  if (executions !== null && executions > 1) {
    const counterexample = minimalCounterexample(obs.ops, obs.key);
    const seqs = new Set(counterexample ? counterexampleSeqs(counterexample) : []);
    const all = [obs.original, ...obs.polls, ...(obs.verify ? [obs.verify] : [])];
    const proof = all.filter((e) => seqs.has(e.seq));
    findings.push(
      presumes(
        finding(
          'fail',
          'violation',
          `after abandoning the original mid-flight, the key executed ${executions} times${counterexample ? ` (${counterexample.summary})` : ''}`,
          profile.cite.execution,
          proof.length > 0 ? proof : evidence,
          {
            ...facts,
            ...(counterexample ? { counterexample: { summary: counterexample.summary, reason: counterexample.reason, ops: counterexample.ops } } : {}),
          },
        ),
        'single-execution',
      ),
    );
  }
  const persisted = facts.conflictPersistedMs as number;
  if (obs.stoppedBy === 'deadline') {
    findings.push(
      finding(
        'fail',
        'violation',
        `the abandoned request's claim never expired: 409 persisted ${Math.round(persisted)} ms (${conflicts.length} polls), beyond the lease of ${obs.leaseMs} ms (${obs.leaseSource}) plus ${obs.marginMs} ms`,
        cite,
        evidence,
        facts,
      ),
    );
  } else if (obs.stoppedBy === 'rejected') {
    const last = obs.polls.at(-1)!;
    findings.push(
      presumes(
        finding('fail', 'deviation', `a retry of the abandoned request was answered ${statusOf(last)} instead of 409 or the result`, cite, evidence, facts),
        'replay',
      ),
    );
  }
  if (recovered && obs.verify?.response && findings.length === 0) {
    const sameStatus = obs.verify.response.status === recovered.response!.status;
    if (!sameStatus || compareBodies(recovered, obs.verify, obs.ignore ?? []) === 'different') {
      const how = sameStatus ? `the same status ${statusOf(recovered)} with a different body` : `${statusOf(recovered)} then ${statusOf(obs.verify)}`;
      findings.push(
        presumes(
          finding(
            'fail',
            'violation',
            `after recovery, a repeat of the request was answered differently (${how}): replays are not the committed response`,
            profile.cite.replay,
            [recovered, obs.verify],
            facts,
          ),
          'replay-bytes',
        ),
      );
    }
  }
  // The answer the client ends up with is the committed one: one execution, and a repeat agrees.
  const consistent = recovered !== undefined && findings.length === 0 && (executions === null || executions <= 1);
  facts.finalEqualsCommitted = consistent;
  facts.timeToConsistentMs = consistent ? facts.recoveryMs : null;
  for (const f of findings) f.facts = { ...f.facts, finalEqualsCommitted: false, timeToConsistentMs: null, sequence: sequenceOf(obs.ops, obs.key) };
  if (findings.length > 0) return findings;
  if (obs.stoppedBy === 'aborted') return [finding('skip', 'observation', 'interrupted before the key recovered', cite, evidence, facts)];
  const how =
    conflicts.length === 0
      ? 'the first retry already got the result (nothing was left in flight)'
      : `409 persisted ${Math.round(persisted)} ms (${conflicts.length} polls), then the key answered ${statusOf(recovered!)} ${Math.round(facts.recoveryMs as number)} ms after the original started`;
  return [
    finding(
      'pass',
      'violation',
      `abandoned mid-flight after ${obs.abandonAfterMs} ms: ${how}; lease ${obs.leaseMs} ms (${obs.leaseSource}); ${executions === null ? 'executions not counted' : `${executions} execution(s)`}`,
      cite,
      evidence,
      facts,
    ),
  ];
}

/** Extra tries when the original answered before the disconnect (a scheduling hiccup). */
const EXTRA_TRIES = 2;

export const inFlightRecovery = defineCheck<Options>({
  id: 'in-flight-recovery',
  title: 'In-flight recovery',
  summary: 'original abandoned mid-flight; polls with the same key: 409 until the lease expires, then recovery; at most one execution',
  options: Options,
  declaredOnly: true,
  async run(ctx) {
    const chaos = chaosOf(ctx);
    const settings: TargetSettings | undefined = await chaos.settings();
    const { leaseMs, source } = resolveLease({
      option: ctx.options.leaseMs,
      policy: ctx.endpoint.policy.lease,
      self: chaos.self?.leaseMs,
      reported: settings?.leaseMs,
    });
    const marginMs = ctx.options.marginMs ?? Math.max(1_000, Math.round(leaseMs / 5));
    const timeoutMs = ctx.scenario.defaults.timeoutMs;
    const process = (n: number): string => `in-flight-recovery/${ctx.endpoint.name}/${n}`;
    let abandonAfterMs = ctx.options.abandonAfterMs;
    if (abandonAfterMs === undefined) {
      ctx.note('measuring a fresh request');
      const cal = await calibrate(ctx, chaos, { timeoutMs }, process(0));
      if (notSent(cal.attempt.exchange)) return [];
      abandonAfterMs = midFlightTimeout(cal.ms);
    }

    let original: PathAttempt | undefined;
    let key = '';
    let body: Buffer | undefined;
    let tries = 0;
    const misses: Exchange[] = [];
    for (; tries <= EXTRA_TRIES && !ctx.signal.aborted; tries++) {
      key = ctx.keys.next();
      body = ctx.requests.renderBody(ctx.endpoint, { key });
      chaos.emit({ type: 'inject', round: `lease ${leaseMs} ms`, faults: [`client disconnect after ${abandonAfterMs} ms`] });
      const sent = await sendAttempt(ctx, chaos, { process: process(tries + 1), key, body, role: 'abandon', label: 'original' }, 1, {
        timeoutMs: abandonAfterMs,
      });
      if (notSent(sent.exchange)) return [];
      if (isTimeout(sent.exchange)) {
        original = sent;
        break;
      }
      misses.push(sent.exchange);
    }
    if (!original) {
      if (ctx.signal.aborted) return [];
      return [
        finding(
          'skip',
          'observation',
          `could not abandon a request mid-flight: the original was answered (${misses.map(statusOf).join(', ')}) before the ${abandonAfterMs} ms disconnect; set abandonAfterMs lower`,
          ctx.profile.cite.inFlight,
          misses.slice(0, 3),
        ),
      ];
    }

    const proc = process(tries + 1);
    const ops: HistoryOp[] = [original.invoke, original.completion];
    const polls: Exchange[] = [];
    const deadline = original.exchange.startedAt + leaseMs + marginMs;
    const maxPolls = Math.min(10_000, Math.ceil((leaseMs + marginMs) / ctx.options.pollMs) + 5);
    let stoppedBy: RecoveryStop = 'deadline';
    let recovered: PathAttempt | undefined;
    for (let n = 1; n <= maxPolls; n++) {
      if (ctx.signal.aborted) {
        stoppedBy = 'aborted';
        break;
      }
      const started = chaos.now();
      if (started > deadline) break;
      const poll = await sendAttempt(ctx, chaos, { process: proc, key, body, role: 'poll', label: 'retry' }, n + 1, { timeoutMs });
      ops.push(poll.invoke, poll.completion);
      polls.push(poll.exchange);
      if (notSent(poll.exchange)) return [];
      const status = poll.exchange.response?.status;
      if (isSuccess(poll.exchange)) {
        stoppedBy = 'recovered';
        recovered = poll;
        break;
      }
      if (status !== undefined && status < 500 && !ctx.profile.expect.inFlight.includes(status)) {
        stoppedBy = 'rejected';
        break;
      }
      await sleep(started + ctx.options.pollMs - chaos.now(), ctx.signal);
    }

    let verify: PathAttempt | undefined;
    if (recovered) {
      await sleep(5, ctx.signal);
      verify = await sendAttempt(ctx, chaos, { process: proc, key, body, role: 'verify', label: 'retry' }, polls.length + 2, { timeoutMs });
      ops.push(verify.invoke, verify.completion);
    }
    const oracle = await readOracle(ctx, chaos, key, [original.exchange, ...polls, ...(verify ? [verify.exchange] : [])]);
    ops.push(...oracle.ops);
    const obs: RecoveryObservation = {
      key,
      leaseMs,
      leaseSource: source,
      marginMs,
      pollMs: ctx.options.pollMs,
      abandonAfterMs,
      original: original.exchange,
      polls,
      stoppedBy,
      count: oracle.count,
      ops,
      ignore: ctx.options.ignore,
    };
    if (verify) obs.verify = verify.exchange;
    if (oracle.ledger) obs.ledger = oracle.ledger;
    return judgeInFlightRecovery(obs, ctx.profile);
  },
});
