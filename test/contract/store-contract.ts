// The one contract every IdempotencyStore passes (GUIDE section 4, principle 8). Real time with small
// durations: the suite is shared by stores whose clock we cannot inject (Redis).
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BeginResult, IdempotencyStore, StoredResponse } from '../../src/reference/store/types.js';

export interface StoreFixture {
  /** A store with nothing in it that matters: each test uses fresh random keys. */
  store: IdempotencyStore;
  /** Removes whatever this store wrote; runs after each test, before store.close(). */
  cleanup?: () => Promise<void>;
}

export type StoreFactory = () => StoreFixture | Promise<StoreFixture>;

/** Long enough never to expire during a test, so "still in flight" checks cannot flake. */
const HOLD = { leaseMs: 30_000 };
const RETAIN_MS = 60_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (n: number): string => `${Math.round(n)} ms`;

/**
 * Real clocks slip on a loaded machine, so a timing test measures the windows it relies on (a store
 * starts or renews a lease somewhere between the send of its call and the answer) and returns why
 * when the event loop was too late for them: that attempt proved nothing and is retried on a fresh
 * key. An attempt whose timing held must pass its assertions; none holding in `attempts` fails.
 */
async function untilTimingHolds(attempts: number, attempt: () => Promise<string | undefined>): Promise<void> {
  const disturbed: string[] = [];
  for (let n = 1; n <= attempts; n++) {
    const why = await attempt();
    if (why === undefined) return;
    disturbed.push(`#${n}: ${why}`);
  }
  throw new Error(`timing disturbed in all ${attempts} attempts, nothing proven: ${disturbed.join('; ')}`);
}

/** Bytes that are not valid UTF-8 and include every byte value, NUL first. */
const BINARY = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x00])]);

function responseFor(label: string, body: Buffer = Buffer.from(`body of ${label}`)): StoredResponse {
  return {
    status: 201,
    headers: { 'content-type': 'application/octet-stream', location: `/orders/${label}`, etag: `"${label}"` },
    bodyBase64: body.toString('base64'),
  };
}

function expectKind<K extends BeginResult['kind'] | 'absent'>(result: { kind: string }, kind: K): void {
  expect(result.kind).toBe(kind);
}

export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: IdempotencyStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      try {
        await fixture.cleanup?.();
      } finally {
        await store.close();
      }
    });

    const freshKey = (): string => `key-${randomUUID()}`;

    async function claim(key: string, fingerprint: string, opts = HOLD): Promise<string> {
      const result = await store.begin(key, fingerprint, opts);
      if (result.kind !== 'new') throw new Error(`expected to claim ${key}, got ${result.kind}`);
      return result.token;
    }

    async function replayOf(key: string, fingerprint: string): Promise<StoredResponse> {
      const result = await store.begin(key, fingerprint, HOLD);
      if (result.kind !== 'completed') throw new Error(`expected a completed replay for ${key}, got ${result.kind}`);
      return result.response;
    }

    it('begin on a new key claims it and returns a token unique to the claim', async () => {
      const first = await store.begin(freshKey(), 'fp', HOLD);
      const second = await store.begin(freshKey(), 'fp', HOLD);
      if (first.kind !== 'new' || second.kind !== 'new') throw new Error(`expected two claims, got ${first.kind} and ${second.kind}`);
      expect(first.token).toEqual(expect.any(String));
      expect(first.token.length).toBeGreaterThan(0);
      expect(first.token).not.toBe(second.token);
    });

    it('a second begin while in flight answers in-flight', async () => {
      const key = freshKey();
      await claim(key, 'fp');
      expect(await store.begin(key, 'fp', HOLD)).toEqual({ kind: 'in-flight' });
      expect(await store.begin(key, 'fp', HOLD)).toEqual({ kind: 'in-flight' });
    });

    it('after complete, begin with the same fingerprint replays status, headers and binary body exactly', async () => {
      const key = freshKey();
      const token = await claim(key, 'fp');
      const stored = responseFor(key, BINARY);
      expect(await store.complete(key, token, stored, RETAIN_MS)).toBe(true);

      const replay = await replayOf(key, 'fp');
      expect(replay).toEqual(stored);
      expect(Buffer.compare(Buffer.from(replay.bodyBase64, 'base64'), BINARY)).toBe(0);
      expect(await replayOf(key, 'fp')).toEqual(stored);
    });

    it('replays an empty body and a non-2xx status as stored', async () => {
      const key = freshKey();
      const token = await claim(key, 'fp');
      const stored: StoredResponse = { status: 422, headers: {}, bodyBase64: '' };
      expect(await store.complete(key, token, stored, RETAIN_MS)).toBe(true);
      expect(await replayOf(key, 'fp')).toEqual(stored);
    });

    it('another fingerprint is a mismatch while in flight and after completion, and does not poison the key', async () => {
      const key = freshKey();
      const token = await claim(key, 'fp-original');
      expect(await store.begin(key, 'fp-other', HOLD)).toEqual({ kind: 'mismatch' });
      expect(await store.begin(key, 'fp-original', HOLD)).toEqual({ kind: 'in-flight' });

      const stored = responseFor(key);
      expect(await store.complete(key, token, stored, RETAIN_MS)).toBe(true);
      expect(await store.begin(key, 'fp-other', HOLD)).toEqual({ kind: 'mismatch' });
      expect(await replayOf(key, 'fp-original')).toEqual(stored);
    });

    it('100 concurrent begins of one key: exactly one is new, the rest see it in flight', async () => {
      const key = freshKey();
      const results = await Promise.all(Array.from({ length: 100 }, () => store.begin(key, 'fp', HOLD)));
      const kinds = results.map((result) => result.kind);
      expect(kinds.filter((kind) => kind === 'new')).toHaveLength(1);
      expect(kinds.filter((kind) => kind === 'in-flight')).toHaveLength(99);
    });

    it('100 concurrent begins with two fingerprints: one winner; its twins in flight, the others mismatched', async () => {
      const key = freshKey();
      const fingerprints = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 'fp-even' : 'fp-odd'));
      const results = await Promise.all(fingerprints.map((fp) => store.begin(key, fp, HOLD)));
      const winners = results.flatMap((result, i) => (result.kind === 'new' ? [fingerprints[i]] : []));
      expect(winners).toHaveLength(1);
      const winner = winners[0];
      results.forEach((result, i) => {
        if (result.kind === 'new') return;
        expect(result.kind).toBe(fingerprints[i] === winner ? 'in-flight' : 'mismatch');
      });
    });

    it('an expired lease lets a new begin win (leaseMs 100, after 150 ms)', async () => {
      const key = freshKey();
      const first = await claim(key, 'fp', { leaseMs: 100 });
      await sleep(150);
      const second = await claim(key, 'fp', HOLD);
      expect(second).not.toBe(first);
      expect(await store.begin(key, 'fp', HOLD)).toEqual({ kind: 'in-flight' });
    });

    it('begins on a held key do not extend its lease (retries cannot keep an orphaned claim alive)', async () => {
      const LEASE_MS = 300;
      await untilTimingHolds(6, async () => {
        const key = freshKey();
        const claimSent = performance.now();
        await claim(key, 'fp', { leaseMs: LEASE_MS });
        const claimed = performance.now();
        await sleep(LEASE_MS / 3);
        const retrySent = performance.now();
        const retry = await store.begin(key, 'fp', { leaseMs: LEASE_MS });
        const retried = performance.now();
        if (retried >= claimSent + LEASE_MS) return `the retry answered ${ms(retried - claimSent)} after the claim was sent, past its ${LEASE_MS} ms lease`;
        expect(retry).toEqual({ kind: 'in-flight' });
        // Checked after the claim's own lease has certainly ended and before a lease renewed by the
        // retry could: a retry that extended the lease would still hold the key here.
        const freeFrom = claimed + LEASE_MS;
        const extendedUntil = retrySent + LEASE_MS;
        await sleep(Math.max(0, (freeFrom + extendedUntil) / 2 - performance.now()));
        const checkSent = performance.now();
        const check = await store.begin(key, 'fp', HOLD);
        const checked = performance.now();
        if (checkSent <= freeFrom || checked >= extendedUntil)
          return `checked ${ms(checkSent - claimed)}..${ms(checked - claimed)} after the claim, outside ${ms(freeFrom - claimed)}..${ms(extendedUntil - claimed)}`;
        expectKind(check, 'new');
        return undefined;
      });
    });

    it('fencing: a claim whose lease expired can neither complete nor release over the new owner', async () => {
      const key = freshKey();
      const tokenA = await claim(key, 'fp', { leaseMs: 100 });
      await sleep(150);
      const tokenB = await claim(key, 'fp', HOLD);

      expect(await store.complete(key, tokenA, responseFor('A'), RETAIN_MS)).toBe(false);
      expect(await store.release(key, tokenA)).toBe(false);
      expect(await store.lookup(key, 'fp')).toEqual({ kind: 'in-flight' });
      expect(await store.begin(key, 'fp', HOLD)).toEqual({ kind: 'in-flight' });

      const responseB = responseFor('B');
      expect(await store.complete(key, tokenB, responseB, RETAIN_MS)).toBe(true);
      expect(await replayOf(key, 'fp')).toEqual(responseB);
      expect(await store.complete(key, tokenA, responseFor('A'), RETAIN_MS)).toBe(false);
      expect(await replayOf(key, 'fp')).toEqual(responseB);
    });

    it('release frees the key so that a new begin wins; a wrong token is refused', async () => {
      const key = freshKey();
      const token = await claim(key, 'fp');
      expect(await store.release(key, 'not-the-token')).toBe(false);
      expect(await store.begin(key, 'fp', HOLD)).toEqual({ kind: 'in-flight' });

      expect(await store.release(key, token)).toBe(true);
      expect(await store.lookup(key, 'fp')).toEqual({ kind: 'absent' });
      const next = await claim(key, 'fp-after-release');
      expect(next).not.toBe(token);
      expect(await store.release(key, token)).toBe(false);
      expect(await store.begin(key, 'fp-after-release', HOLD)).toEqual({ kind: 'in-flight' });
    });

    it('complete with a wrong token is refused and leaves the claim in flight', async () => {
      const key = freshKey();
      const token = await claim(key, 'fp');
      expect(await store.complete(key, 'not-the-token', responseFor('forged'), RETAIN_MS)).toBe(false);
      expect(await store.begin(key, 'fp', HOLD)).toEqual({ kind: 'in-flight' });
      expect(await store.complete(key, token, responseFor(key), RETAIN_MS)).toBe(true);
    });

    it('complete and release on an absent key are refused and create nothing', async () => {
      const key = freshKey();
      expect(await store.complete(key, 'token', responseFor(key), RETAIN_MS)).toBe(false);
      expect(await store.release(key, 'token')).toBe(false);
      expect(await store.lookup(key, 'fp')).toEqual({ kind: 'absent' });
    });

    it('a token completes once: a second complete and a release afterwards are refused, the response stays', async () => {
      const key = freshKey();
      const token = await claim(key, 'fp');
      const stored = responseFor(key);
      expect(await store.complete(key, token, stored, RETAIN_MS)).toBe(true);
      expect(await store.complete(key, token, responseFor('overwrite'), RETAIN_MS)).toBe(false);
      expect(await store.release(key, token)).toBe(false);
      expect(await replayOf(key, 'fp')).toEqual(stored);
    });

    it('a completed response expires after retentionMs (150 ms: replayed at once, gone after 250 ms)', async () => {
      const RETAIN = 150;
      await untilTimingHolds(6, async () => {
        const key = freshKey();
        const token = await claim(key, 'fp');
        const stored = responseFor(key);
        const completeSent = performance.now();
        expect(await store.complete(key, token, stored, RETAIN)).toBe(true);
        const completed = performance.now();
        const replay = await replayOf(key, 'fp');
        const replayed = performance.now();
        if (replayed >= completeSent + RETAIN)
          return `the replay answered ${ms(replayed - completeSent)} after the completion was sent, past its ${RETAIN} ms retention`;
        expect(replay).toEqual(stored);
        await sleep(Math.max(0, completed + RETAIN + 100 - performance.now()));
        expect(await store.lookup(key, 'fp')).toEqual({ kind: 'absent' });
        expectKind(await store.begin(key, 'fp', HOLD), 'new');
        return undefined;
      });
    });

    it('completion replaces the lease with the retention (a short lease does not cut the replay short)', async () => {
      const key = freshKey();
      const token = await claim(key, 'fp', { leaseMs: 200 });
      const stored = responseFor(key);
      expect(await store.complete(key, token, stored, RETAIN_MS)).toBe(true);
      await sleep(300);
      expect(await replayOf(key, 'fp')).toEqual(stored);
    });

    it('retentionMs 0 completes without keeping the response: the key is free at once', async () => {
      const key = freshKey();
      const token = await claim(key, 'fp');
      expect(await store.complete(key, token, responseFor(key), 0)).toBe(true);
      expect(await store.lookup(key, 'fp')).toEqual({ kind: 'absent' });
      expectKind(await store.begin(key, 'fp', HOLD), 'new');
    });

    it('leaseMs 0 never expires (still in flight after 200 ms)', async () => {
      const key = freshKey();
      const token = await claim(key, 'fp', { leaseMs: 0 });
      await sleep(200);
      expect(await store.begin(key, 'fp', { leaseMs: 0 })).toEqual({ kind: 'in-flight' });
      expect(await store.release(key, token)).toBe(true);
    });

    it('extend renews a lease from the extend, not from the claim (300 ms claim extended by 400 ms at ~150 ms: held past 400 ms after the claim, free 400 ms after the extend)', async () => {
      const FIRST_MS = 300;
      const EXTENDED_MS = 400;
      await untilTimingHolds(6, async () => {
        const key = freshKey();
        const claimSent = performance.now();
        const token = await claim(key, 'fp', { leaseMs: FIRST_MS });
        const claimed = performance.now();
        await sleep(FIRST_MS / 2);
        const extendSent = performance.now();
        const renewed = await store.extend(key, token, EXTENDED_MS);
        const extended = performance.now();
        if (extended >= claimSent + FIRST_MS)
          return `extend answered ${ms(extended - claimSent)} after the claim was sent, the ${FIRST_MS} ms lease may have run out`;
        expect(renewed, `extend answered ${ms(extended - claimSent)} into a ${FIRST_MS} ms lease`).toBe(true);

        // Checked after the first lease AND a lease of EXTENDED_MS counted from the claim have both
        // ended (after `heldFrom`), and before a lease of EXTENDED_MS counted from the extend can end.
        const heldFrom = claimed + EXTENDED_MS;
        const heldUntil = extendSent + EXTENDED_MS;
        await sleep(Math.max(0, (heldFrom + heldUntil) / 2 - performance.now()));
        const checkSent = performance.now();
        const held = await store.begin(key, 'fp', HOLD);
        const checked = performance.now();
        if (checkSent <= heldFrom || checked >= heldUntil)
          return `checked ${ms(checkSent - claimed)}..${ms(checked - claimed)} after the claim, outside ${ms(heldFrom - claimed)}..${ms(heldUntil - claimed)}`;
        expect(held, `checked ${ms(checkSent - claimed)} after the claim and ${ms(checked - extendSent)} after the extend was sent`).toEqual({
          kind: 'in-flight',
        });

        // Renewed for EXTENDED_MS, not forever: once that has passed the key is free.
        await sleep(Math.max(0, extended + EXTENDED_MS + 50 - performance.now()));
        expectKind(await store.begin(key, 'fp', HOLD), 'new');
        return undefined;
      });
    });

    it('extend with leaseMs 0 makes the claim never expire', async () => {
      const key = freshKey();
      const token = await claim(key, 'fp', { leaseMs: 100 });
      expect(await store.extend(key, token, 0)).toBe(true);
      await sleep(200);
      expect(await store.begin(key, 'fp', HOLD)).toEqual({ kind: 'in-flight' });
      expect(await store.release(key, token)).toBe(true);
    });

    it('extend is refused for a foreign token and for an expired claim, and creates nothing', async () => {
      const key = freshKey();
      const token = await claim(key, 'fp', { leaseMs: 100 });
      expect(await store.extend(key, 'not-the-token', 30_000)).toBe(false);
      await sleep(150);
      expect(await store.extend(key, token, 30_000)).toBe(false);
      expect(await store.lookup(key, 'fp')).toEqual({ kind: 'absent' });
      expect(await store.extend(freshKey(), 'token', 30_000)).toBe(false);

      // Expired and claimed again: the old token cannot renew the new owner's claim.
      const next = await claim(key, 'fp', { leaseMs: 150 });
      expect(await store.extend(key, token, 30_000)).toBe(false);
      await sleep(200);
      expectKind(await store.begin(key, 'fp', HOLD), 'new');
      expect(await store.extend(key, next, 30_000)).toBe(false);
    });

    it('extend does nothing to a completed key (its retention stays) nor to a released one', async () => {
      const key = freshKey();
      const token = await claim(key, 'fp');
      const stored = responseFor(key);
      expect(await store.complete(key, token, stored, 150)).toBe(true);
      expect(await store.extend(key, token, 30_000)).toBe(false);
      expect(await replayOf(key, 'fp')).toEqual(stored);
      await sleep(250);
      expect(await store.lookup(key, 'fp')).toEqual({ kind: 'absent' });

      const released = freshKey();
      const releasedToken = await claim(released, 'fp');
      expect(await store.release(released, releasedToken)).toBe(true);
      expect(await store.extend(released, releasedToken, 30_000)).toBe(false);
      expect(await store.lookup(released, 'fp')).toEqual({ kind: 'absent' });
    });

    it('lookup does not claim: absent stays absent, and begin still wins afterwards', async () => {
      const key = freshKey();
      expect(await store.lookup(key, 'fp')).toEqual({ kind: 'absent' });
      expect(await store.lookup(key, 'fp')).toEqual({ kind: 'absent' });
      const token = await claim(key, 'fp');
      expect(typeof token).toBe('string');
    });

    it('lookup reports in-flight, mismatch and completed like begin, without changing the state', async () => {
      const key = freshKey();
      const token = await claim(key, 'fp');
      expect(await store.lookup(key, 'fp')).toEqual({ kind: 'in-flight' });
      expect(await store.lookup(key, 'fp-other')).toEqual({ kind: 'mismatch' });
      const stored = responseFor(key, BINARY);
      expect(await store.complete(key, token, stored, RETAIN_MS)).toBe(true);
      expect(await store.lookup(key, 'fp')).toEqual({ kind: 'completed', response: stored });
      expect(await store.lookup(key, 'fp-other')).toEqual({ kind: 'mismatch' });
      expect(await replayOf(key, 'fp')).toEqual(stored);
    });

    it('1 MiB bodies round-trip byte for byte', async () => {
      const key = freshKey();
      const body = randomBytes(1024 * 1024);
      const token = await claim(key, 'fp');
      expect(await store.complete(key, token, responseFor(key, body), RETAIN_MS)).toBe(true);
      const replay = await replayOf(key, 'fp');
      const bytes = Buffer.from(replay.bodyBase64, 'base64');
      expect(bytes.length).toBe(body.length);
      expect(bytes.equals(body)).toBe(true);
    });

    it('keys with special characters do not collide', async () => {
      const keys = [
        'a',
        'b',
        'a:b',
        'a b',
        ' ',
        '',
        '{',
        '}',
        '{a}',
        'a}',
        '{a',
        '}{',
        '{}',
        '{{a}}',
        '*',
        '?',
        '[a]',
        'a*',
        '\\',
        'idem:{a}',
        'ü',
        'é',
        'e\u0301',
        '🔑',
        '键',
        '\u0000',
        '\r\n',
        '\uD800\uDC00',
        '\uD800',
        '\uD801',
        '\uDC00',
        '\\uD800',
        '\\\uD800',
        '\\\\',
        'a\\',
        'a\\\\',
        '}}',
        '}a}',
        '\\u007D',
        '\\}',
      ];
      expect(new Set(keys).size).toBe(keys.length);
      const fingerprints = keys.map((_, i) => `fp-${i}`);
      const claims = await Promise.all(keys.map((key, i) => store.begin(key, fingerprints[i]!, HOLD)));
      expect(claims.map((result) => result.kind)).toEqual(keys.map(() => 'new'));

      const again = await Promise.all(keys.map((key, i) => store.begin(key, fingerprints[i]!, HOLD)));
      expect(again.map((result) => result.kind)).toEqual(keys.map(() => 'in-flight'));

      const completed = await Promise.all(
        keys.map((key, i) => {
          const claimed = claims[i]!;
          return claimed.kind === 'new' ? store.complete(key, claimed.token, responseFor(`r${i}`), RETAIN_MS) : Promise.resolve(false);
        }),
      );
      expect(completed).toEqual(keys.map(() => true));
      const replays = await Promise.all(keys.map((key, i) => replayOf(key, fingerprints[i]!)));
      expect(replays).toEqual(keys.map((_, i) => responseFor(`r${i}`)));

      await store.forget('a');
      expect(await store.lookup('a', fingerprints[0]!)).toEqual({ kind: 'absent' });
      const others = await Promise.all(keys.slice(1).map((key, i) => store.lookup(key, fingerprints[i + 1]!)));
      expect(others.map((result) => result.kind)).toEqual(keys.slice(1).map(() => 'completed'));
    });

    it('fingerprints are compared exactly (lone surrogates, case, normalisation)', async () => {
      const pairs: [string, string][] = [
        ['\uD800', '\uD801'],
        ['\uD800', '\\uD800'],
        ['ABC', 'abc'],
        ['é', 'e\u0301'],
        ['fp', 'fp '],
      ];
      for (const [original, other] of pairs) {
        const key = freshKey();
        await claim(key, original);
        expect(await store.begin(key, other, HOLD)).toEqual({ kind: 'mismatch' });
        expect(await store.begin(key, original, HOLD)).toEqual({ kind: 'in-flight' });
      }
    });

    it('forget removes a key whatever its state', async () => {
      const inFlight = freshKey();
      await claim(inFlight, 'fp');
      await store.forget(inFlight);
      expect(await store.lookup(inFlight, 'fp')).toEqual({ kind: 'absent' });

      const done = freshKey();
      const token = await claim(done, 'fp');
      expect(await store.complete(done, token, responseFor(done), RETAIN_MS)).toBe(true);
      await store.forget(done);
      expect(await store.lookup(done, 'fp')).toEqual({ kind: 'absent' });
      expectKind(await store.begin(done, 'fp-new', HOLD), 'new');

      await expect(store.forget(freshKey())).resolves.toBeUndefined();
    });

    it('stored responses are isolated from later changes to the objects passed in or handed out', async () => {
      const key = freshKey();
      const token = await claim(key, 'fp');
      const passed = responseFor(key);
      const expected = structuredClone(passed);
      expect(await store.complete(key, token, passed, RETAIN_MS)).toBe(true);
      passed.status = 500;
      passed.headers['location'] = '/elsewhere';

      const handedOut = await replayOf(key, 'fp');
      handedOut.headers['etag'] = '"changed"';
      handedOut.bodyBase64 = '';
      expect(await replayOf(key, 'fp')).toEqual(expected);
    });
  });
}
