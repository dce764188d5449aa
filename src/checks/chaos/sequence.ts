// The steps of one chaos round as a fact (`facts.sequence`), for the report's sequence diagram:
// every attempt sent and how it ended, what the fault proxy or the nemesis did, and when the
// server's ledger says each execution ran. Times are ms from the round's first step; attempts,
// faults and ledger times are all epoch readings (the ledger's on the server's clock, kept only
// when they fall inside the round, so a remote server's clock offset never reorders the picture).
// Runs of identical polls fold into one step with a count, and the list is bounded.
import type { HistoryOp } from '../../engine/history.js';

export interface SequenceStep {
  /** ms from the round's first step. */
  t: number;
  kind: 'send' | 'answer' | 'fault' | 'outage' | 'execution' | 'gap';
  attempt?: number;
  /** What the attempt was for when not an ordinary retry: abandon, poll, verify, before, outage, after. */
  role?: string;
  route?: 'proxy' | 'direct';
  /** Send: the faults the proxy was set up with. Fault: the one that acted. */
  faults?: string[];
  fault?: string;
  outcome?: 'ok' | 'fail' | 'unknown';
  status?: number;
  error?: string;
  /** The resource an answer or an execution names. */
  id?: string;
  /** What the upstream answered the proxy before the fault took over. */
  upstreamStatuses?: number[];
  /** Outage length, or the delay a fault applied. */
  delayMs?: number;
  /** Execution: when its request finished arriving (ms from the first step). */
  arrivedT?: number;
  /** A folded run of identical attempts: how many, and the last attempt number. */
  repeat?: number;
  lastAttempt?: number;
  /** Gap: steps left out to keep the list bounded. */
  omitted?: number;
}

/** Steps kept at most; beyond, the first and last ones with a gap between. */
export const MAX_STEPS = 40;
/** One host's clocks agree to well under this. */
const SKEW_MS = 5;

const r3 = (n: number): number => Math.round(n * 1000) / 1000;

export function sequenceOf(ops: readonly HistoryOp[], key: string): SequenceStep[] {
  const mine = [...ops].filter((op) => op.key === key || op.process === 'nemesis').sort((a, b) => a.index - b.index);
  if (mine.length === 0) return [];
  const t0 = mine[0]!.at;
  const at = (epoch: number): number => r3(epoch - t0);
  const steps: SequenceStep[] = [];
  let ledger: Array<{ id: string; receivedAt?: number; executedAt?: number }> | undefined;
  for (const op of mine) {
    if (op.process === 'oracle') {
      if (op.type === 'ok' && op.value?.ledger) ledger = op.value.ledger;
      continue;
    }
    if (op.process === 'nemesis') {
      steps.push({ t: at(op.at), kind: 'outage', fault: op.f, ...(op.delayMs !== undefined ? { delayMs: op.delayMs } : {}) });
      continue;
    }
    if (op.process === 'proxy') {
      steps.push({
        t: at(op.at),
        kind: 'fault',
        fault: op.f,
        ...(op.upstreamStatuses ? { upstreamStatuses: op.upstreamStatuses } : {}),
        ...(op.delayMs !== undefined ? { delayMs: op.delayMs } : {}),
      });
      continue;
    }
    const common = { ...(op.attempt !== undefined ? { attempt: op.attempt } : {}), ...(op.role ? { role: op.role } : {}) };
    if (op.type === 'invoke') {
      steps.push({ t: at(op.at), kind: 'send', ...common, route: op.route ?? 'direct', ...(op.faults ? { faults: op.faults } : {}) });
    } else if (op.type !== 'fault') {
      steps.push({
        t: at(op.at),
        kind: 'answer',
        ...common,
        outcome: op.type,
        ...(op.status !== undefined ? { status: op.status } : {}),
        ...(op.error !== undefined ? { error: op.error } : {}),
        ...(op.identity !== undefined ? { id: op.identity } : {}),
      });
    }
  }
  const end = Math.max(...steps.map((s) => s.t));
  const executions = (ledger ?? []).filter((e) => typeof e.executedAt === 'number');
  // The server's clock: only drawn when every execution lands inside the round.
  const inside = executions.every((e) => at(e.executedAt!) >= -SKEW_MS && at(e.executedAt!) <= end + SKEW_MS);
  if (inside) {
    for (const e of executions) {
      steps.push({ t: at(e.executedAt!), kind: 'execution', id: e.id, ...(typeof e.receivedAt === 'number' ? { arrivedT: at(e.receivedAt) } : {}) });
    }
  }
  // Stable: ties keep history order, an execution after what was recorded at the same instant.
  const ordered = steps.map((s, i) => ({ s, i })).sort((a, b) => a.s.t - b.s.t || a.i - b.i);
  return bound(fold(ordered.map(({ s }) => s)));
}

const sameShape = (a: SequenceStep, b: SequenceStep): boolean =>
  a.kind === b.kind && a.role === b.role && a.route === b.route && a.outcome === b.outcome && a.status === b.status && a.error === b.error;

/** Folds runs of identical send/answer pairs (polls answered 409, 409, ...) into one pair with a count. */
function fold(steps: SequenceStep[]): SequenceStep[] {
  const out: SequenceStep[] = [];
  for (let i = 0; i < steps.length; i++) {
    const send = steps[i]!;
    const answer = steps[i + 1];
    const prevSend = out.at(-2);
    const prevAnswer = out.at(-1);
    if (
      send.kind === 'send' &&
      answer?.kind === 'answer' &&
      answer.attempt === send.attempt &&
      prevSend?.kind === 'send' &&
      prevAnswer?.kind === 'answer' &&
      (prevAnswer.lastAttempt ?? prevAnswer.attempt) === (prevSend.lastAttempt ?? prevSend.attempt) &&
      sameShape(prevSend, send) &&
      sameShape(prevAnswer, answer) &&
      prevAnswer.id === answer.id
    ) {
      const n = (prevSend.repeat ?? 1) + 1;
      prevSend.repeat = prevAnswer.repeat = n;
      if (send.attempt !== undefined) prevSend.lastAttempt = prevAnswer.lastAttempt = send.attempt;
      // The folded answer stands for the last one: when the run of identical answers ended.
      prevAnswer.t = answer.t;
      i++;
      continue;
    }
    out.push({ ...send });
  }
  return out;
}

function bound(steps: SequenceStep[]): SequenceStep[] {
  if (steps.length <= MAX_STEPS) return steps;
  const head = steps.slice(0, MAX_STEPS / 2);
  const tail = steps.slice(steps.length - (MAX_STEPS / 2 - 1));
  const omitted = steps.length - head.length - tail.length;
  return [...head, { t: tail[0]!.t, kind: 'gap', omitted }, ...tail];
}
