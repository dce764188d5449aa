// The verdict shared by the retry-shaped chaos checks (timeout-retry, lost-response,
// gateway-duplicate), as pure functions of what one round recorded: at most one execution, and a
// final answer that is the committed result. Also the figures the observability contract asks for:
// retry success after the fault, attempts until success, time to a consistent answer.
import { compareBodies, statusTally, type BodyComparison } from '../compare.js';
import { finding, type BaselineProperty, type Finding, type Level } from '../api.js';
import type { Exchange } from '../../core/exchange.js';
import { statusOf } from '../../core/exchange.js';
import type { HistoryOp, LedgerEntry } from '../../engine/history.js';
import type { ExecutionCount } from '../../engine/oracle.js';
import type { AttemptOutcome, StopReason } from '../../engine/retry/index.js';
import { counterexampleSeqs, deriveExecutions, minimalCounterexample, type Counterexample } from './derive.js';
import { identityOf } from './outcome.js';
import { sequenceOf } from './sequence.js';

export interface RoundAttempt {
  exchange: Exchange;
  outcome: AttemptOutcome;
}

export interface RetryRound {
  /** What was injected, e.g. "drop-response-after-upstream" or "client timeout 51 ms". */
  label: string;
  key: string;
  attempts: RoundAttempt[];
  stoppedBy: StopReason;
  /** The fault acted on the first attempt (it timed out, lost its answer, reached the upstream twice). */
  exercised: boolean;
  /** Why it did not, when it did not. */
  notExercised?: string;
  count: ExecutionCount;
  ledger?: LedgerEntry[];
  /** A repeat of the request sent after the final answer: the stored result, again. */
  verify?: Exchange;
  /** Every history operation of the round: attempts, faults, oracle reads. */
  ops: HistoryOp[];
  upstreamStatuses?: number[];
  /** `idemaudit proxy ...` that recreates the proxy the first attempt went through. */
  proxyCommand?: string;
  /** Where the first retry landed relative to the original's commit (timeout-retry). */
  landing?: { landed: 'in-flight' | 'after-commit' | 'unknown'; detail: string };
}

export interface Problem {
  level: Level;
  message: string;
  exchanges: Exchange[];
  /** The baseline property the problem presumes (see checks/baseline.ts). */
  dependsOn?: BaselineProperty;
}

export interface RoundAssessment {
  label: string;
  key: string;
  exercised: boolean;
  attempts: number;
  statuses: string;
  /** 1-based attempt that first got a success answer; null when none did. */
  attemptsUntilSuccess: number | null;
  /** The first attempt failed or got no answer, and a retry then succeeded. */
  retrySuccess: boolean;
  /** Milliseconds from the first attempt to the end of the answer that proved consistent; null when none did. */
  timeToConsistentMs: number | null;
  consistent: boolean;
  executions: number | null;
  stoppedBy: StopReason;
  body?: BodyComparison;
  upstreamStatuses?: number[];
  proxyCommand?: string;
  /** Where the first retry landed, e.g. "in-flight: retry sent 61 ms before the original's answer". */
  firstRetry?: string;
  problems: Problem[];
  counterexample?: Counterexample;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

export function assessRound(round: RetryRound, identityPointer: string | undefined, ignore: string[] = []): RoundAssessment {
  const exchanges = round.attempts.map((a) => a.exchange);
  const firstOk = round.attempts.findIndex((a) => a.outcome.kind === 'ok');
  const final = round.attempts.at(-1);
  const derived = deriveExecutions(round.ops).get(round.key);
  const counts = [round.count.executions, derived?.executions ?? null, round.ledger?.length ?? null].filter((n): n is number => n !== null);
  const executions = counts.length > 0 ? Math.max(...counts) : null;
  const out: RoundAssessment = {
    label: round.label,
    key: round.key,
    exercised: round.exercised,
    attempts: round.attempts.length,
    statuses: statusTally(exchanges),
    attemptsUntilSuccess: firstOk >= 0 ? firstOk + 1 : null,
    retrySuccess: firstOk > 0,
    timeToConsistentMs: null,
    consistent: false,
    executions,
    stoppedBy: round.stoppedBy,
    problems: [],
  };
  if (round.upstreamStatuses) out.upstreamStatuses = round.upstreamStatuses;
  if (round.proxyCommand) out.proxyCommand = round.proxyCommand;
  if (round.landing) out.firstRetry = `${round.landing.landed}: ${round.landing.detail}`;
  const evidence = (...extra: Array<Exchange | undefined>): Exchange[] => [...exchanges, ...extra.filter((e): e is Exchange => e !== undefined)];

  if (executions !== null && executions > 1) {
    const counterexample = minimalCounterexample(round.ops, round.key);
    if (counterexample) out.counterexample = counterexample;
    const proof = counterexample ? pick(evidence(round.verify), counterexampleSeqs(counterexample)) : [];
    out.problems.push({
      level: 'violation',
      message: `${round.label}: key executed ${executions} times${counterexample ? ` (${counterexample.summary})` : ''}`,
      exchanges: proof.length > 0 ? proof : evidence(round.verify),
      dependsOn: 'single-execution',
    });
  }

  if (!final || final.outcome.kind !== 'ok') {
    const last = final ? statusOf(final.exchange) : 'no attempt';
    out.problems.push({
      level: 'deviation',
      message: `${round.label}: no success within the retry policy (${round.attempts.length} attempt(s), stopped by ${round.stoppedBy}, last answer ${last})`,
      exchanges: evidence(),
      dependsOn: 'replay',
    });
    return out;
  }

  const answer = final.exchange;
  // Two executions already say the answer cannot be "the" committed result; more would be noise.
  if (out.problems.length > 0) return out;
  let consistent = true;
  const identity = identityOf(answer, identityPointer);
  const committed = round.ledger?.length === 1 ? round.ledger[0]!.id : undefined;
  if (identity !== undefined && committed !== undefined && identity !== committed) {
    consistent = false;
    out.problems.push({
      level: 'violation',
      message: `${round.label}: the final answer names resource ${identity}, but the committed execution created ${committed}`,
      exchanges: evidence(round.verify),
    });
  }
  if (round.verify?.response) {
    const again = round.verify;
    if (again.response!.status !== answer.response!.status) {
      consistent = false;
      out.problems.push({
        level: 'violation',
        message: `${round.label}: the final answer was ${answer.response!.status}, a repeat of it ${again.response!.status}: the client cannot have received the committed result`,
        exchanges: [answer, again],
        dependsOn: 'replay',
      });
    } else {
      const body = compareBodies(answer, again, ignore);
      out.body = body;
      const againId = identityOf(again, identityPointer);
      if (body === 'different') {
        consistent = false;
        const why = identity !== undefined && againId === identity ? ' (same resource, re-rendered body)' : '';
        out.problems.push({
          level: 'violation',
          message: `${round.label}: the final answer differs from a repeat of the same request${why}: replays are not the committed response`,
          exchanges: [answer, again],
          dependsOn: 'replay-bytes',
        });
      } else if (body === 'equivalent' && ignore.length === 0) {
        out.problems.push({
          level: 'deviation',
          message: `${round.label}: the final answer and its repeat are the same JSON but not byte-identical`,
          exchanges: [answer, again],
          dependsOn: 'replay-bytes',
        });
      }
    }
  }
  if (consistent) {
    out.consistent = true;
    const first = round.attempts[0]!.exchange;
    out.timeToConsistentMs = round3(answer.startedAt + answer.durationMs - first.startedAt);
  }
  return out;
}

function pick(exchanges: Exchange[], seqs: number[]): Exchange[] {
  const wanted = new Set(seqs);
  return exchanges.filter((e) => wanted.has(e.seq));
}

function summarize(values: number[]): { max: number; mean: number } | null {
  if (values.length === 0) return null;
  return { max: round3(Math.max(...values)), mean: round3(values.reduce((a, b) => a + b, 0) / values.length) };
}

export interface RoundsVerdict {
  /** Names the check in messages, e.g. "lost response". */
  what: string;
  cite: string;
  identity: string | undefined;
  ignore?: string[];
  /** Extra facts for every finding (the policy, the timeout, ...). */
  facts?: Record<string, unknown>;
}

/** Facts every finding of a chaos check carries: one row per round plus the contract's figures. */
export function roundFacts(assessed: RoundAssessment[]): Record<string, unknown> {
  const exercised = assessed.filter((a) => a.exercised);
  // Rounds whose first attempt did not succeed, i.e. where the client had to retry.
  const retried = exercised.filter((a) => a.attemptsUntilSuccess !== 1);
  return {
    rounds: assessed.map(({ problems: _p, counterexample: _c, proxyCommand: _x, ...row }) => row),
    retrySuccess: `${retried.filter((a) => a.retrySuccess).length}/${retried.length}`,
    attemptsUntilSuccess: summarize(exercised.map((a) => a.attemptsUntilSuccess).filter((n): n is number => n !== null)),
    timeToConsistentMs: summarize(exercised.map((a) => a.timeToConsistentMs).filter((n): n is number => n !== null)),
    maxExecutions: exercised.reduce<number | null>((m, a) => (a.executions === null ? m : Math.max(m ?? 0, a.executions)), null),
  };
}

/** Findings for a check made of retry rounds. */
export function judgeRounds(rounds: RetryRound[], v: RoundsVerdict): Finding[] {
  const assessed = rounds.map((r) => assessRound(r, v.identity, v.ignore));
  const facts = { ...v.facts, ...roundFacts(assessed) };
  const findings: Finding[] = [];
  for (const [i, a] of assessed.entries()) {
    if (!a.exercised) continue;
    for (const p of a.problems) {
      // Evidence sent through the proxy replays against it: the command restarts it on the same port.
      const f = finding('fail', p.level, p.message, v.cite, p.exchanges.slice(0, 10), {
        ...facts,
        key: a.key,
        ...(a.proxyCommand ? { proxyCommand: a.proxyCommand } : {}),
        sequence: sequenceOf(rounds[i]!.ops, a.key),
      });
      if (p.dependsOn) f.dependsOn = [p.dependsOn];
      if (a.counterexample && p.level === 'violation' && p.message.includes('executed')) {
        f.facts = { ...f.facts, counterexample: { summary: a.counterexample.summary, reason: a.counterexample.reason, ops: a.counterexample.ops } };
      }
      findings.push(f);
    }
  }
  const exercised = assessed.filter((a) => a.exercised);
  if (exercised.length === 0) {
    const why = rounds.map((r) => `${r.label}: ${r.notExercised ?? 'the fault did not act'}`).join('; ');
    return [
      finding(
        'skip',
        'observation',
        `${v.what}: the fault never took hold of a first attempt (${why})`,
        v.cite,
        rounds.flatMap((r) => r.attempts.map((x) => x.exchange)).slice(0, 4),
        facts,
      ),
    ];
  }
  if (exercised.every((a) => a.executions === null)) {
    findings.push(
      finding(
        'skip',
        'violation',
        `${v.what}: no side-effect oracle could count executions: declare \`identity\` or \`probe\` on the endpoint`,
        v.cite,
        [],
        facts,
      ),
    );
  }
  if (findings.some((f) => f.verdict === 'fail')) return findings;
  const skipped = assessed.length - exercised.length;
  const t = facts.timeToConsistentMs as { max: number } | null;
  const retries = String(facts.retrySuccess).endsWith('/0') ? 'the first answers were final' : `retries succeeded ${String(facts.retrySuccess)}`;
  const message =
    `${v.what}: ${exercised.length} round(s) (${exercised.map((a) => a.label).join(', ')}), ${facts.maxExecutions === null ? 'executions not counted' : `at most ${Number(facts.maxExecutions)} execution(s) per key`}; ` +
    `${retries}, consistent answer within ${t ? `${Math.round(t.max)} ms` : '?'}` +
    `${exercised.some((a) => a.firstRetry) ? '; the first retry of each landed while the original was still running (confirmed from the timeline)' : ''}` +
    `${skipped > 0 ? `; ${skipped} round(s) where the fault did not act${assessed.some((a) => !a.exercised && a.firstRetry) ? ' or the retry landed after the commit' : ''}` : ''}`;
  const shown = rounds
    .filter((r) => r.exercised)
    .flatMap((r) => r.attempts.map((x) => x.exchange))
    .slice(0, 6);
  return [finding('pass', 'violation', message, v.cite, shown, facts), ...findings];
}
