// runWithRetry with a fake clock and sleep: the attempts a client makes, their delays and why it stops.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { RetryBudget, retryPolicy, runWithRetry, type AttemptFn, type AttemptOutcome } from '../../../src/engine/retry/index.js';
import { fakeTime, fixedRng } from './fixtures.js';

/** An attempt function that answers from a script and records how often it ran. */
function scripted(...outcomes: Array<AttemptOutcome | Error>): AttemptFn<string> & { calls: number } {
  const fn = Object.assign(
    async ({ attempt }: { attempt: number }) => {
      fn.calls++;
      const next = outcomes[Math.min(attempt - 1, outcomes.length - 1)]!;
      if (next instanceof Error) throw next;
      return { outcome: next, value: `answer ${attempt}` };
    },
    { calls: 0 },
  );
  return fn;
}

const netError = (code: string) => Object.assign(new Error(code), { code });
const ok: AttemptOutcome = { kind: 'ok', status: 201 };
const unavailable: AttemptOutcome = { kind: 'fail', status: 503 };

describe('runWithRetry', () => {
  it('stops at the first success and sleeps nothing', async () => {
    const time = fakeTime();
    const run = await runWithRetry(retryPolicy(), scripted(ok), { rng: fixedRng(0.5), ...time });
    expect(run.stoppedBy).toBe('ok');
    expect(run.attempts).toHaveLength(1);
    expect(run.final).toMatchObject({ attempt: 1, outcome: ok, classification: 'final', value: 'answer 1' });
    expect(time.slept).toEqual([]);
  });

  it('retries an unknown outcome and a 503 with backoff, then succeeds', async () => {
    const time = fakeTime();
    const fn = scripted(netError('ECONNRESET'), unavailable, ok);
    const run = await runWithRetry(retryPolicy({ maxAttempts: 5, jitter: 'none' }), fn, { rng: fixedRng(0), ...time });
    expect(run.stoppedBy).toBe('ok');
    expect(run.attempts.map((a) => [a.outcome.kind, a.classification, a.delayMs])).toEqual([
      ['unknown', 'retry', 100],
      ['fail', 'retry', 200],
      ['ok', 'final', undefined],
    ]);
    expect(time.slept).toEqual([100, 200]);
    // Attempts are stamped with the injected clock: each starts after the previous delay.
    expect(run.attempts.map((a) => a.startedAt - run.attempts[0]!.startedAt)).toEqual([0, 100, 300]);
  });

  it('gives up after maxAttempts with the last failure as the result', async () => {
    const time = fakeTime();
    const fn = scripted(unavailable);
    const run = await runWithRetry(retryPolicy({ maxAttempts: 4, jitter: 'equal' }), fn, { rng: fixedRng(0.5), ...time });
    expect(run.stoppedBy).toBe('max-attempts');
    expect(fn.calls).toBe(4);
    expect(time.slept).toEqual([75, 150, 300]);
    expect(run.final).toMatchObject({ attempt: 4, outcome: unavailable, classification: 'retry' });
    expect(run.final!.delayMs).toBeUndefined();
  });

  it('never retries a validation answer', async () => {
    const time = fakeTime();
    const fn = scripted({ kind: 'fail', status: 422 }, ok);
    const run = await runWithRetry(retryPolicy(), fn, { rng: fixedRng(0.5), ...time });
    expect(run.stoppedBy).toBe('final-outcome');
    expect(fn.calls).toBe(1);
  });

  it('waits for Retry-After (seconds) when longer than the backoff, capped by maxDelayMs', async () => {
    const time = fakeTime();
    const fn = scripted({ kind: 'fail', status: 429, retryAfter: '2' }, { kind: 'fail', status: 429, retryAfter: '3600' }, ok);
    await runWithRetry(retryPolicy({ jitter: 'none', maxDelayMs: 10_000 }), fn, { rng: fixedRng(0), ...time });
    expect(time.slept).toEqual([2_000, 10_000]);
  });

  it('waits until a Retry-After HTTP-date, measured on the injected clock', async () => {
    const time = fakeTime(Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'));
    const fn = scripted({ kind: 'fail', status: 503, retryAfter: 'Wed, 21 Oct 2015 07:28:04 GMT' }, ok);
    await runWithRetry(retryPolicy({ jitter: 'none' }), fn, { rng: fixedRng(0), ...time });
    expect(time.slept).toEqual([4_000]);
  });

  it('stops retrying once the shared per-path budget is spent, across runs', async () => {
    const time = fakeTime();
    const budget = new RetryBudget({ maxRetries: 3, windowMs: 60_000 });
    const policy = retryPolicy({ maxAttempts: 3, jitter: 'none', baseMs: 10 });
    const first = await runWithRetry(policy, scripted(unavailable), { rng: fixedRng(0), ...time, budget, budgetKey: 'POST /payments' });
    expect([first.stoppedBy, first.attempts.length]).toEqual(['max-attempts', 3]);
    const second = await runWithRetry(policy, scripted(unavailable), { rng: fixedRng(0), ...time, budget, budgetKey: 'POST /payments' });
    expect([second.stoppedBy, second.attempts.length]).toEqual(['budget-exhausted', 2]);
    const third = await runWithRetry(policy, scripted(unavailable), { rng: fixedRng(0), ...time, budget, budgetKey: 'POST /payments' });
    expect([third.stoppedBy, third.attempts.length]).toEqual(['budget-exhausted', 1]);
    // Another path has its own bucket.
    const other = await runWithRetry(policy, scripted(unavailable), { rng: fixedRng(0), ...time, budget, budgetKey: 'POST /refunds' });
    expect(other.stoppedBy).toBe('max-attempts');
  });

  it('applies a policy budget to a single run when no shared budget is given', async () => {
    const time = fakeTime();
    const policy = retryPolicy({ maxAttempts: 10, jitter: 'none', baseMs: 10, budget: { maxRetries: 2, windowMs: 60_000 } });
    const run = await runWithRetry(policy, scripted(unavailable), { rng: fixedRng(0), ...time });
    expect([run.stoppedBy, run.attempts.length]).toEqual(['budget-exhausted', 3]);
  });

  it('stops when the signal aborts during a backoff sleep', async () => {
    const time = fakeTime();
    const controller = new AbortController();
    const fn = scripted(unavailable);
    const sleep = async (ms: number, signal?: AbortSignal) => {
      time.slept.push(ms);
      controller.abort();
      if (signal?.aborted) throw new Error('aborted');
    };
    const run = await runWithRetry(retryPolicy({ maxAttempts: 5 }), fn, { rng: fixedRng(0.5), now: time.now, sleep, signal: controller.signal });
    expect(run.stoppedBy).toBe('aborted');
    expect(fn.calls).toBe(1);
    expect(time.slept).toHaveLength(1);
  });

  it('makes no attempt at all with an already aborted signal', async () => {
    const fn = scripted(ok);
    const run = await runWithRetry(retryPolicy(), fn, { rng: fixedRng(0), ...fakeTime(), signal: AbortSignal.abort() });
    expect(run).toEqual({ attempts: [], stoppedBy: 'aborted' });
    expect(fn.calls).toBe(0);
  });

  it('passes the signal to the attempt and reports an abort that happens inside it', async () => {
    const controller = new AbortController();
    const seen: Array<AbortSignal | undefined> = [];
    const run = await runWithRetry(
      retryPolicy(),
      async ({ signal }) => {
        seen.push(signal);
        controller.abort();
        throw new DOMException('aborted', 'AbortError');
      },
      { rng: fixedRng(0), ...fakeTime(), signal: controller.signal },
    );
    expect(seen).toEqual([controller.signal]);
    expect(run.stoppedBy).toBe('aborted');
    expect(run.final!.outcome.kind).toBe('unknown');
  });

  it('gives up at once on network errors when the policy says so', async () => {
    const run = await runWithRetry(retryPolicy({ retryOnNetworkError: false }), scripted(netError('ECONNREFUSED')), { rng: fixedRng(0), ...fakeTime() });
    expect(run.stoppedBy).toBe('final-outcome');
    expect(run.final!.outcome).toEqual({ kind: 'fail', error: 'ECONNREFUSED' });
  });

  it('draws full jitter per attempt under the doubling ceiling', async () => {
    const time = fakeTime();
    await runWithRetry(retryPolicy({ maxAttempts: 5 }), scripted(unavailable), { rng: fixedRng(0.1, 0.9, 0.4, 0.7), ...time });
    expect(time.slept).toEqual([10, 180, 160, 560]); // 0.1x100, 0.9x200, 0.4x400, 0.7x800
  });

  it('retries on the same schedule for the same seed', async () => {
    const schedule = async (seed: string) => {
      const time = fakeTime();
      await runWithRetry(retryPolicy({ maxAttempts: 8 }), scripted(unavailable), { rng: createRng(seed), ...time });
      return time.slept;
    };
    const first = await schedule('retry-seed');
    expect(first).toHaveLength(7);
    expect(await schedule('retry-seed')).toEqual(first);
    expect(await schedule('other-seed')).not.toEqual(first);
  });
});
