// What a history proves, as pure functions: executions per key (from the answers the clients saw
// and the oracle reads), and the smallest set of operations that shows a key executed twice.
import type { HistoryOp, LedgerEntry, OracleValue } from '../../engine/history.js';

/** Client attempts, as opposed to oracle reads and what the proxy or the nemesis (a store outage) did. */
const isAttempt = (op: HistoryOp): boolean => op.process !== 'oracle' && op.process !== 'proxy' && op.process !== 'nemesis';
const isCompletion = (op: HistoryOp): boolean => op.type === 'ok' || op.type === 'fail' || op.type === 'unknown';

export interface KeyExecutions {
  key: string;
  /** Attempts invoked (verification replays and polls included). */
  invoked: number;
  ok: number;
  fail: number;
  unknown: number;
  /** Distinct identities in `ok` answers: each is a separate execution. */
  identities: string[];
  /** The last oracle read of the key, if any. */
  oracle?: OracleValue;
  /** Best evidence of executions: the largest of the distinct identities and every oracle count; null when nothing can tell. */
  executions: number | null;
}

/** Executions per key, derived from the history (client answers plus oracle reads). */
export function deriveExecutions(ops: readonly HistoryOp[]): Map<string, KeyExecutions> {
  const byKey = new Map<string, KeyExecutions & { ids: Set<string> }>();
  const entry = (key: string) => {
    let e = byKey.get(key);
    if (!e) byKey.set(key, (e = { key, invoked: 0, ok: 0, fail: 0, unknown: 0, identities: [], executions: null, ids: new Set() }));
    return e;
  };
  for (const op of ops) {
    if (op.key === undefined) continue;
    if (op.process === 'oracle') {
      if (op.type === 'ok' && op.value) entry(op.key).oracle = op.value;
      continue;
    }
    if (!isAttempt(op)) continue;
    const e = entry(op.key);
    if (op.type === 'invoke') e.invoked++;
    else if (op.type === 'ok') {
      e.ok++;
      if (op.identity !== undefined) e.ids.add(op.identity);
    } else if (op.type === 'fail') e.fail++;
    else if (op.type === 'unknown') e.unknown++;
  }
  const out = new Map<string, KeyExecutions>();
  for (const [key, { ids, ...e }] of byKey) {
    e.identities = [...ids];
    const counts = [ids.size > 0 ? ids.size : undefined, e.oracle?.executions ?? undefined, e.oracle?.ledger?.length].filter(
      (n): n is number => typeof n === 'number',
    );
    e.executions = counts.length > 0 ? Math.max(...counts) : null;
    out.set(key, e);
  }
  return out;
}

export type CounterexampleReason = 'distinct-identities' | 'ledger' | 'oracle-count';

export interface Counterexample {
  key: string;
  executions: number;
  reason: CounterexampleReason;
  /** One line: what the operations show. */
  summary: string;
  /** The minimal set of operations, in history order. */
  ops: HistoryOp[];
}

/** The completion of the attempt `invoke` started (same process, key and attempt), if any. */
function completionOf(ops: readonly HistoryOp[], invoke: HistoryOp): HistoryOp | undefined {
  return ops.find(
    (op) =>
      op.index > invoke.index &&
      isCompletion(op) &&
      op.process === invoke.process &&
      op.key === invoke.key &&
      op.attempt === invoke.attempt &&
      op.role === invoke.role,
  );
}

function invokeOf(ops: readonly HistoryOp[], completion: HistoryOp): HistoryOp | undefined {
  let found: HistoryOp | undefined;
  for (const op of ops) {
    if (op.index >= completion.index) break;
    if (
      op.type === 'invoke' &&
      op.process === completion.process &&
      op.key === completion.key &&
      op.attempt === completion.attempt &&
      op.role === completion.role
    )
      found = op;
  }
  return found;
}

/** Clocks of client and server on one host agree to well under this; a remote server's may not. */
const SKEW_MS = 5;

/**
 * The attempt that most plausibly caused a ledger execution: the latest invoke sent before the
 * execution's request finished arriving, among attempts not provably refused before executing.
 */
function causeOf(attempts: readonly HistoryOp[], completions: Map<number, HistoryOp | undefined>, entry: LedgerEntry): HistoryOp | undefined {
  const at = entry.receivedAt ?? entry.executedAt;
  const candidates = attempts.filter((inv) => {
    const done = completions.get(inv.index);
    // A 4xx refusal (409, 422, 400) means the server turned the attempt away without running it.
    if (done?.type === 'fail' && done.status !== undefined && done.status < 500) return false;
    return at === undefined || inv.at <= at + SKEW_MS;
  });
  return candidates.at(-1) ?? attempts.at(-1);
}

/**
 * The minimal operations proving that `key` executed more than once, or undefined when the history
 * does not show that. In order of strength: two `ok` answers carrying different identities (two
 * invokes and their completions); else the first two ledger executions with the attempt(s) that
 * caused them (one invoke and two executions is a duplicating gateway or server); else the
 * oracle's count with as many attempts as could have executed.
 */
export function minimalCounterexample(ops: readonly HistoryOp[], key: string): Counterexample | undefined {
  const mine = ops.filter((op) => op.key === key);
  const attempts = mine.filter((op) => isAttempt(op) && op.type === 'invoke');
  const okAnswers = mine.filter((op) => isAttempt(op) && op.type === 'ok' && op.identity !== undefined);
  const firstByIdentity = new Map<string, HistoryOp>();
  for (const op of okAnswers) if (!firstByIdentity.has(op.identity!)) firstByIdentity.set(op.identity!, op);
  if (firstByIdentity.size >= 2) {
    const [a, b] = [...firstByIdentity.values()];
    const picked = [invokeOf(mine, a!), a!, invokeOf(mine, b!), b!].filter((op): op is HistoryOp => op !== undefined);
    return {
      key,
      executions: firstByIdentity.size,
      reason: 'distinct-identities',
      summary: `${describeAttempt(a!)} and ${describeAttempt(b!)} with key ${key} were answered with different resources (${a!.identity} and ${b!.identity}): two executions`,
      ops: sortOps(picked),
    };
  }

  const oracleReads = mine.filter((op) => op.process === 'oracle' && op.type === 'ok' && op.value);
  const oracle = oracleReads.at(-1);
  const ledger = oracle?.value?.ledger ?? [];
  const completions = new Map(attempts.map((inv) => [inv.index, completionOf(mine, inv)]));
  if (oracle && ledger.length >= 2) {
    const two = ledger.slice(0, 2);
    const causes = [...new Set(two.map((entry) => causeOf(attempts, completions, entry)).filter((op): op is HistoryOp => op !== undefined))];
    const picked: HistoryOp[] = [];
    for (const inv of causes) {
      picked.push(inv);
      const done = completions.get(inv.index);
      if (done) picked.push(done);
    }
    // One attempt, two executions: what the proxy did to that attempt is part of the proof.
    if (causes.length === 1) {
      const faults = mine.filter((op) => (op.process === 'proxy' || op.process === 'nemesis') && op.at >= causes[0]!.at - SKEW_MS);
      picked.push(...faults.slice(0, 1));
    }
    picked.push({ ...oracle, value: { ...oracle.value!, ledger: two } });
    const who = causes.length === 1 ? `one attempt (${describeAttempt(causes[0]!)})` : `attempts ${causes.map(describeAttempt).join(' and ')}`;
    return {
      key,
      executions: ledger.length,
      reason: 'ledger',
      summary: `${who} with key ${key}; the ledger recorded ${ledger.length} executions (${two.map((e) => e.id).join(', ')}${ledger.length > 2 ? ', ...' : ''})`,
      ops: sortOps(picked),
    };
  }

  const counted = oracle?.value?.executions ?? 0;
  if (oracle && counted >= 2) {
    const couldHaveRun = attempts.filter((inv) => {
      const done = completions.get(inv.index);
      return !(done?.type === 'fail' && done.status !== undefined && done.status < 500);
    });
    const chosen = (couldHaveRun.length > 0 ? couldHaveRun : attempts).slice(0, counted);
    const picked: HistoryOp[] = [];
    for (const inv of chosen) {
      picked.push(inv);
      const done = completions.get(inv.index);
      if (done) picked.push(done);
    }
    picked.push(oracle);
    return {
      key,
      executions: counted,
      reason: 'oracle-count',
      summary: `${chosen.length} attempt(s) with key ${key}; the oracle counted ${counted} executions (${Object.entries(oracle.value!.by)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
      ops: sortOps(picked),
    };
  }
  return undefined;
}

const ROLE_NAMES: Record<string, (n: string) => string> = {
  calibrate: () => 'the calibration request',
  abandon: () => 'the abandoned original',
  poll: (n) => `poll ${n}`,
  verify: () => 'the repeat after the final answer',
  before: () => 'the request before the outage',
  outage: () => 'the request during the outage',
  after: (n) => `attempt ${n} after the outage`,
};

function describeAttempt(op: HistoryOp): string {
  const n = String(op.attempt ?? '?');
  const name = op.role ? (ROLE_NAMES[op.role]?.(n) ?? `${op.role} ${n}`) : `attempt ${n}`;
  return `${name}${op.route === 'proxy' ? ` via proxy${op.faults?.length ? ` (${op.faults.join(', ')})` : ''}` : ''}`;
}

function sortOps(ops: HistoryOp[]): HistoryOp[] {
  return [...new Map(ops.map((op) => [op.index, op])).values()].sort((a, b) => a.index - b.index);
}

/** Exchange sequence numbers the counterexample's attempts refer to (for evidence). */
export function counterexampleSeqs(c: Counterexample): number[] {
  return [...new Set(c.ops.filter((op) => op.seq !== undefined && isAttempt(op)).map((op) => op.seq!))];
}
