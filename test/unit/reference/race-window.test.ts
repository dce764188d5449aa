// The race flaw with a window: the claim lands windowMs after the lookup, kept on an injected clock,
// so only duplicates that look within the window of the first claim run; and its validation.
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../src/reference/index.js';
import { checkThenSetClaim, windowedCheckThenSetClaim } from '../../../src/demo/flaws/race.js';
import { behaviourWith, startReferenceServer } from '../../../src/demo/index.js';
import { ReferenceConfigError } from '../../../src/reference/config-error.js';
import { raceWindow } from '../../../src/cli/options.js';

const response = { status: 201, headers: {}, bodyBase64: 'YQ==' };

function setup(windowMs: number) {
  const store = new MemoryStore();
  let t = 1_000;
  const claim = windowedCheckThenSetClaim(windowMs, () => t);
  const ctx = { store, key: 'tenant/k', fingerprint: 'fp', leaseMs: 30_000, retentionMs: 60_000 };
  return { store, claim: () => claim(ctx), at: (ms: number) => (t = 1_000 + ms) };
}

describe('race flaw with a window', () => {
  it('a duplicate looking inside the window runs unclaimed; one looking at the window edge sees the claim', async () => {
    const { store, claim, at } = setup(1);
    const first = await claim();
    expect(first).toMatchObject({ kind: 'new', token: expect.any(String) });
    at(0.999);
    const inside = await claim();
    expect(inside.kind).toBe('new');
    expect(inside).not.toHaveProperty('token');
    at(1);
    expect(await claim()).toEqual({ kind: 'in-flight' });
    // The unclaimed copy's blind SET stores nothing; the first copy's response is what replays.
    if (inside.kind === 'new') expect(await inside.settle({ kind: 'store', response: { ...response, bodyBase64: 'Yg==' } })).toBe(true);
    if (first.kind !== 'new') throw new Error('unreachable');
    expect(await first.settle({ kind: 'store', response })).toBe(true);
    at(0.5);
    const after = await claim();
    expect(after).toMatchObject({ kind: 'completed', response: { bodyBase64: 'YQ==' } });
    expect(await store.lookup('tenant/k', 'fp')).toMatchObject({ kind: 'completed' });
  });

  it('after the first claim settles, the window is forgotten (a released key is claimed anew)', async () => {
    const { claim, at } = setup(5);
    const first = await claim();
    if (first.kind !== 'new') throw new Error('expected a claim');
    await first.settle({ kind: 'release' });
    at(1);
    expect(await claim()).toMatchObject({ kind: 'new', token: expect.any(String) });
  });

  it('without a window the race flaw keeps its whole-handler check-then-set', () => {
    expect(behaviourWith(['race']).claim).toBe(checkThenSetClaim);
    expect(behaviourWith(['race'], { raceWindowMs: 1 }).claim).not.toBe(checkThenSetClaim);
  });
});

describe('race window validation', () => {
  it('startReferenceServer refuses a window without the race flaw, or one that is not > 0', async () => {
    await expect(startReferenceServer({ raceWindowMs: 1 })).rejects.toThrow(ReferenceConfigError);
    await expect(startReferenceServer({ raceWindowMs: 1 })).rejects.toThrow(/'race' flaw, which is not enabled/);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(startReferenceServer({ flaws: ['race'], raceWindowMs: bad })).rejects.toThrow(/raceWindowMs must be a number of milliseconds > 0/);
    }
  });

  it('the --race-window flag takes a duration with its unit, above 0 and at most 60s', () => {
    expect(raceWindow('1ms')).toBe(1);
    expect(raceWindow('0.5ms')).toBe(0.5);
    expect(raceWindow(' 2s ')).toBe(2000);
    for (const bad of ['', '1', '0ms', '-1ms', '5x', '2m', '61s', 'ms']) expect(() => raceWindow(bad), bad).toThrow(/expected a duration above 0/);
  });
});
