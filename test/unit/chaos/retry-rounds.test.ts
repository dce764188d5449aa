// The verdict of the retry-shaped chaos checks (timeout-retry, lost-response, gateway-duplicate), from
// fabricated rounds: at most one execution, and a final answer that is the committed result.
import { describe, expect, it } from 'vitest';
import { judgeRounds, type RetryRound } from '../../../src/checks/chaos/consistency.js';
import { outcomeOfExchange } from '../../../src/checks/chaos/outcome.js';
import type { Exchange } from '../../../src/core/exchange.js';
import type { ExecutionCount } from '../../../src/engine/oracle.js';
import { getProfile } from '../../../src/profiles/index.js';
import { ex, type FakeExchange } from '../../helpers/exchange.js';
import { FakeHistory } from './helpers.js';

const profile = getProfile('ietf-07');
const verdict = { what: 'lost response', cite: profile.cite.execution, identity: '/id' };

/** An exchange that started at `at` ms of the run and took `ms`. */
function at(start: number, ms: number, f: FakeExchange): Exchange {
  return { ...ex({ key: 'k', ...f }), startedAt: start, durationMs: ms };
}

const payment = (id: string, created = '2026-11-22T10:00:00.000Z') => ({ id, amount: 1250, created });

function count(executions: number | null, by: ExecutionCount['by'] = {}, ids: string[] = []): ExecutionCount {
  return { executions, by, ids };
}

/** A round from its exchanges, with the history ops an engine would have recorded for them. */
function round(exchanges: Exchange[], opts: Partial<RetryRound> & { verify?: Exchange; executions?: number | null; ledgerIds?: string[] } = {}): RetryRound {
  const h = new FakeHistory();
  exchanges.forEach((e, i) => {
    const o = outcomeOfExchange(e);
    const id = o.kind === 'ok' ? (JSON.parse(e.response!.body.toString()) as { id?: string }).id : undefined;
    h.attempt('k', i + 1, { type: o.kind, seq: e.seq, ...(e.response ? { status: e.response.status } : { error: e.error! }), ...(id ? { identity: id } : {}) });
  });
  if (opts.verify) {
    const id = (JSON.parse(opts.verify.response!.body.toString()) as { id?: string }).id;
    h.attempt(
      'k',
      exchanges.length + 1,
      { type: 'ok', seq: opts.verify.seq, status: opts.verify.response!.status, ...(id ? { identity: id } : {}) },
      { role: 'verify' },
    );
  }
  const ledger = opts.ledgerIds?.map((id) => ({ id }));
  const executions = opts.executions === undefined ? (ledger?.length ?? 1) : opts.executions;
  h.oracle('k', executions, ledger, ledger ? { ledger: ledger.length } : {});
  const r: RetryRound = {
    label: 'drop-response-after-upstream',
    key: 'k',
    attempts: exchanges.map((exchange) => ({ exchange, outcome: outcomeOfExchange(exchange) })),
    stoppedBy: exchanges.at(-1)?.response && exchanges.at(-1)!.response!.status < 300 ? 'ok' : 'max-attempts',
    exercised: true,
    count: count(executions, ledger ? { ledger: ledger.length } : {}),
    ops: h.ops,
    ...(ledger ? { ledger } : {}),
    ...opts,
  };
  return r;
}

describe('judgeRounds', () => {
  it('passes one execution and a final answer equal to its repeat, with the contract figures', () => {
    const lost = at(0, 100, { error: 'connection reset (ECONNRESET)' });
    const conflict = at(130, 2, { status: 409, body: { title: 'in progress' } });
    const replay = at(550, 2, { status: 201, body: payment('pay_1'), headers: { 'idempotent-replayed': 'true' } });
    const verify = at(560, 1, { status: 201, body: payment('pay_1'), headers: { 'idempotent-replayed': 'true' } });
    const [f] = judgeRounds([round([lost, conflict, replay], { verify, ledgerIds: ['pay_1'] })], verdict);
    expect(f).toMatchObject({ verdict: 'pass', level: 'violation' });
    expect(f!.message).toContain('retries succeeded 1/1');
    expect(f!.facts).toMatchObject({
      retrySuccess: '1/1',
      attemptsUntilSuccess: { max: 3, mean: 3 },
      timeToConsistentMs: { max: 552, mean: 552 },
      maxExecutions: 1,
      rounds: [{ exercised: true, attempts: 3, statuses: 'connection reset (ECONNRESET)×1, 409×1, 201×1', consistent: true, body: 'identical', executions: 1 }],
    });
  });

  it('two identities for one key: a violation whose facts hold the minimal counterexample and whose evidence is exactly its attempts', () => {
    const timeout = at(0, 50, { error: 'timeout after 50 ms' });
    const fresh = at(60, 100, { status: 201, body: payment('pay_1') });
    const verify = at(170, 1, { status: 201, body: payment('pay_2') });
    const findings = judgeRounds([round([timeout, fresh], { verify, ledgerIds: ['pay_2', 'pay_1'] })], verdict);
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f).toMatchObject({ verdict: 'fail', level: 'violation' });
    expect(f!.message).toMatch(
      /executed 2 times \(attempt 2 and the repeat after the final answer with key k were answered with different resources \(pay_1 and pay_2\)/,
    );
    const c = f!.facts!.counterexample as { reason: string; ops: Array<{ type: string; seq?: number }> };
    expect(c.reason).toBe('distinct-identities');
    expect(c.ops.map((op) => op.type)).toEqual(['invoke', 'ok', 'invoke', 'ok']);
    expect(f!.exchanges.map((e) => e.seq)).toEqual([fresh.seq, verify.seq]);
    // The round's steps for the report's sequence diagram: both attempts, the repeat, the two answers.
    const steps = f!.facts!.sequence as Array<{ kind: string; attempt?: number; role?: string; outcome?: string }>;
    expect(steps.map((s) => `${s.kind} ${s.attempt}${s.role ? ` ${s.role}` : ''} ${s.outcome ?? ''}`.trim())).toEqual([
      'send 1',
      'answer 1 unknown',
      'send 2',
      'answer 2 ok',
      'send 3 verify',
      'answer 3 verify ok',
    ]);
  });

  it('a replay re-rendered (same resource, different bytes) is a violation: not the committed response', () => {
    const lost = at(0, 100, { error: 'timeout after 500 ms' });
    const replay = at(200, 2, { status: 201, body: payment('pay_1', '2026-11-22T10:00:00.200Z') });
    const verify = at(210, 2, { status: 201, body: payment('pay_1', '2026-11-22T10:00:00.210Z') });
    const [f] = judgeRounds([round([lost, replay], { verify, ledgerIds: ['pay_1'] })], verdict);
    expect(f).toMatchObject({ verdict: 'fail', level: 'violation' });
    expect(f!.message).toContain('(same resource, re-rendered body)');
    expect(f!.exchanges).toEqual([replay, verify]);
    // Told to ignore the volatile field, the same round passes.
    expect(judgeRounds([round([lost, replay], { verify, ledgerIds: ['pay_1'] })], { ...verdict, ignore: ['/created'] })[0]!.verdict).toBe('pass');
  });

  it('the same JSON in other bytes is a deviation', () => {
    const replay = at(200, 2, { status: 201, body: '{"id":"pay_1","amount":1}' });
    const verify = at(210, 2, { status: 201, body: '{"amount":1,"id":"pay_1"}' });
    const [f] = judgeRounds([round([at(0, 10, { error: 'reset' }), replay], { verify, ledgerIds: ['pay_1'] })], verdict);
    expect(f).toMatchObject({ verdict: 'fail', level: 'deviation', message: expect.stringContaining('not byte-identical') });
  });

  it('a final answer naming another resource than the one committed is a violation', () => {
    const replay = at(200, 2, { status: 201, body: payment('pay_other') });
    const [f] = judgeRounds([round([at(0, 10, { error: 'reset' }), replay], { ledgerIds: ['pay_1'] })], verdict);
    expect(f).toMatchObject({
      verdict: 'fail',
      level: 'violation',
      message: expect.stringContaining('names resource pay_other, but the committed execution created pay_1'),
    });
  });

  it('no success within the policy is a deviation (409 answers on the way are fine)', () => {
    const attempts = [at(0, 10, { error: 'timeout after 10 ms' }), at(20, 1, { status: 409, body: {} }), at(40, 1, { status: 409, body: {} })];
    const findings = judgeRounds([round(attempts, { executions: 1 })], verdict);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      verdict: 'fail',
      level: 'deviation',
      message: expect.stringContaining('no success within the retry policy (3 attempt(s), stopped by max-attempts, last answer 409)'),
    });
  });

  it('rounds where the fault did not act are left out; none at all is a skip', () => {
    const ok = at(0, 100, { status: 201, body: payment('pay_1') });
    const idle = round([ok], { exercised: false, notExercised: 'the first attempt still got its answer (201)' });
    const [f] = judgeRounds([idle], verdict);
    expect(f).toMatchObject({ verdict: 'skip', level: 'observation', message: expect.stringContaining('the fault never took hold') });
    const good = round([at(0, 10, { error: 'reset' }), at(20, 2, { status: 201, body: payment('pay_2') })], { ledgerIds: ['pay_2'] });
    const [g] = judgeRounds([idle, good], verdict);
    expect(g).toMatchObject({ verdict: 'pass' });
    expect(g!.message).toContain('1 round(s) where the fault did not act');
  });

  it('without any oracle the executions cannot be judged', () => {
    const r = round([at(0, 10, { error: 'reset' }), at(20, 2, { status: 201, body: {} })], { executions: null });
    const findings = judgeRounds([r], { ...verdict, identity: undefined });
    expect(findings.map((f) => [f.verdict, f.level])).toContainEqual(['skip', 'violation']);
  });
});
