// The framework-agnostic idempotency layer (profile ietf-07, GUIDE section 1). One request goes:
// method filter -> size -> key present -> key syntax -> claim -> new | replay | in-flight | mismatch.
// Every decision a flaw may change is taken through `behaviour`; the layer itself has no flaw ifs.
import { isAbandoned } from './abandoned.js';
import { correctBehaviour, type LayerBehaviour } from './behaviour.js';
import { StoreUnavailableError, type StoredResponse } from '../store/types.js';
import type { ClaimResult, NewClaim, Settlement } from './claim.js';
import { REPLAY_MARKER, fromStoredResponse, toStoredResponse, withReplayMarker } from './envelope.js';
import { hashPrefix } from './hash.js';
import { headerValue } from './headers.js';
import { instrumentStore } from './instrumented-store.js';
import { parseIdempotencyKey } from './key-syntax.js';
import { HeartbeatTicker, LeaseKeeper } from './lease.js';
import { resolveLayerOptions, type LayerOptions } from './options.js';
import { createProblems } from './problem.js';
import { runWithClaim, type ActiveClaim } from './active-claim.js';
import type { Execute, IdempotencyLayer, LayerEvent, LayerRequest, LayerSettings, Outcome, ResponseEnvelope } from './types.js';

/** Backoff of the background retries of a result the store could not take (store errors only). */
const STORE_RETRY_FIRST_MS = 50;
const STORE_RETRY_MAX_MS = 500;
/** A claim without a lease (flaw orphan-lock) never runs out: bound its retries in time instead. */
const STORE_RETRY_UNLEASED_MS = 30_000;
const CLAIM_LOST = 'claim lost (lease expired and the key was re-claimed)';

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function sleepUnref(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The hashed key for events, computed once, and only when an event needs it. */
type KeyHashOf = () => string;

export function createIdempotencyLayer(options: LayerOptions): IdempotencyLayer {
  const config = resolveLayerOptions(options);
  const flawNames = [...(options.flaws?.names ?? [])];
  const behaviour: LayerBehaviour = options.flaws?.behaviour ?? correctBehaviour;

  const listener = config.onEvent;
  /** False when nobody listens: the per-request events are then not even built. */
  const listening = listener !== undefined;
  const emit = (event: LayerEvent): void => {
    try {
      listener?.(event);
    } catch {
      // Observability must never change an answer.
    }
  };
  const store = instrumentStore(config.store, listening ? emit : undefined, config.storeTimeoutMs);
  const retentionMs = behaviour.retentionMs(config.retentionMs);
  const leaseMs = behaviour.leaseMs(config.leaseMs);
  const keyRequired = behaviour.keyRequired(config.keyRequired);
  // One heartbeat timer for all the claims this layer holds (a lease of 0 has none); built here, so
  // its renewals run in the layer's async context, not in a request's.
  const ticker = leaseMs > 0 ? new HeartbeatTicker(leaseMs) : undefined;

  const settings: LayerSettings = {
    keyHeader: config.keyHeader,
    scope: config.scope,
    problemTypeBase: config.problemTypeBase,
    keySyntax: config.keySyntax,
    retentionMs,
    leaseMs,
    replay5xx: config.replay5xx,
    keyRequired,
    methods: [...config.methods],
    replayHeaders: [...config.replayHeaders],
    maxBodyBytes: config.maxBodyBytes,
    flaws: flawNames,
  };
  // Already lower-cased by resolveLayerOptions.
  const replayHeaders: ReadonlySet<string> = new Set(config.replayHeaders);
  const problems = createProblems(config.problemTypeBase);

  /** Runs the handler with no claim held; a thrown error becomes a 500 (abandonment propagates). */
  async function executeUnclaimed(execute: Execute): Promise<ResponseEnvelope> {
    try {
      return await execute();
    } catch (error) {
      if (isAbandoned(error)) throw error;
      return problems.handlerFailed();
    }
  }

  /** Runs the handler under a claim, renewing its lease meanwhile, then keeps or releases the result. */
  async function executeClaimed(claim: NewClaim, scopedKey: string, execute: Execute, keyHash: KeyHashOf, claimedAt: number): Promise<ResponseEnvelope> {
    if (listening) emit({ type: 'in-flight', delta: 1 });
    const keeper = new LeaseKeeper({
      leaseMs,
      claimedAt,
      renew: () => claim.renew(),
      onLost: (reason) => emit({ type: 'lease-lost', keyHash: keyHash(), reason }),
      ...(ticker === undefined ? {} : { ticker }),
    }).start();
    // Visible to the handler, so it can complete the key in its own transaction (PostgresStore.completeInTransaction).
    const active: ActiveClaim | undefined =
      !config.transactionalCompletion || claim.token === undefined
        ? undefined
        : {
            key: scopedKey,
            token: claim.token,
            retentionMs,
            toStored: (response) => toStoredResponse(response, replayHeaders),
            completedInTransaction: false,
          };
    try {
      let response: ResponseEnvelope;
      try {
        response = await (active === undefined ? execute() : runWithClaim(active, execute));
      } catch (error) {
        // Neither a release nor an abandonment keeps the claim alive any longer.
        keeper.stop();
        if (isAbandoned(error)) {
          await settleQuietly(claim, { kind: 'abandon' }, keyHash);
          throw error;
        }
        await settleQuietly(claim, { kind: 'release' }, keyHash);
        return problems.handlerFailed();
      }
      if (active?.completedInTransaction) {
        // Completed inside the handler's own transaction: storing it again would be refused (and is not needed).
        keeper.stop();
      } else if (behaviour.keepsResult(response.status, config.replay5xx)) {
        await storeResult(claim, toStoredResponse(response, replayHeaders), keyHash, keeper);
      } else {
        keeper.stop();
        await settleQuietly(claim, { kind: 'release' }, keyHash);
      }
      // The side effect has run: its own answer is the truth, whatever happened to the record of it.
      return response;
    } catch (error) {
      // Not an answer the layer can read (a handler resolving to no envelope): the claim must not be
      // renewed for good. It is left to its lease, as for a crash: the side effect may have run.
      keeper.stop();
      throw error;
    } finally {
      if (listening) emit({ type: 'in-flight', delta: -1 });
    }
  }

  /**
   * Records the result for replay. A store error does not give up: it is reported once (settle-failed)
   * and the result is retried in the background (backoff 50 ms doubling to 500 ms) while the heartbeat
   * keeps the claim alive, until it is stored or the claim can no longer be held (then lease-lost);
   * the caller answers the client at once.
   */
  async function storeResult(claim: NewClaim, response: StoredResponse, keyHash: KeyHashOf, keeper: LeaseKeeper): Promise<void> {
    const settlement = { kind: 'store', response } as const;
    try {
      const owned = await claim.settle(settlement);
      keeper.stop();
      if (!owned) emit({ type: 'settle-failed', keyHash: keyHash(), reason: CLAIM_LOST });
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) {
        keeper.stop();
        emit({ type: 'settle-failed', keyHash: keyHash(), reason: errorText(error) });
        return;
      }
      emit({ type: 'settle-failed', keyHash: keyHash(), reason: `${errorText(error)} (retrying in the background while the claim holds)` });
      void retryStore(claim, settlement, keyHash, keeper);
    }
  }

  async function retryStore(claim: NewClaim, settlement: Extract<Settlement, { kind: 'store' }>, keyHash: KeyHashOf, keeper: LeaseKeeper): Promise<void> {
    let delay = STORE_RETRY_FIRST_MS;
    const giveUpAt = performance.now() + (leaseMs > 0 ? Number.POSITIVE_INFINITY : STORE_RETRY_UNLEASED_MS);
    try {
      for (;;) {
        await sleepUnref(delay);
        // `held` turning false reports lease-lost itself (the keeper's onLost).
        if (!keeper.held) return;
        if (performance.now() >= giveUpAt) {
          emit({ type: 'lease-lost', keyHash: keyHash(), reason: `result still not stored after ${STORE_RETRY_UNLEASED_MS} ms of retries; giving up` });
          return;
        }
        try {
          const owned = await claim.settle(settlement);
          if (!owned) emit({ type: 'lease-lost', keyHash: keyHash(), reason: `${CLAIM_LOST}; the result was not stored` });
          return;
        } catch (error) {
          if (!(error instanceof StoreUnavailableError)) {
            emit({ type: 'lease-lost', keyHash: keyHash(), reason: `result not stored: ${errorText(error)}` });
            return;
          }
        }
        delay = Math.min(delay * 2, STORE_RETRY_MAX_MS);
      }
    } finally {
      keeper.stop();
    }
  }

  async function settleQuietly(claim: NewClaim, settlement: Settlement, keyHash: KeyHashOf): Promise<void> {
    try {
      const owned = await claim.settle(settlement);
      if (!owned) emit({ type: 'settle-failed', keyHash: keyHash(), reason: CLAIM_LOST });
    } catch (error) {
      emit({ type: 'settle-failed', keyHash: keyHash(), reason: errorText(error) });
    }
  }

  async function handle(req: LayerRequest, execute: Execute): Promise<ResponseEnvelope> {
    const started = listening ? performance.now() : 0;
    let tenant: string | undefined;
    let key: string | undefined;
    let keyHashMemo: string | undefined;
    const keyHash: KeyHashOf = () => (keyHashMemo ??= hashPrefix(key!));
    let routeMemo: string | undefined;
    const routeOf = (): string => (routeMemo ??= config.routeOf(req));
    const finish = (outcome: Outcome, response: ResponseEnvelope): ResponseEnvelope => {
      if (!listening) return response;
      const durationMs = performance.now() - started;
      if (key === undefined) {
        emit({ type: 'request', outcome, method: req.method, path: req.path, route: routeOf(), status: response.status, durationMs });
      } else {
        emit({
          type: 'request',
          outcome,
          method: req.method,
          path: req.path,
          route: routeOf(),
          status: response.status,
          tenant,
          // A plain value, not a lazy getter: an accessor turns the event into a slow object (measured
          // about +20 µs per request through the listeners).
          keyHash: keyHash(),
          durationMs,
        });
      }
      return response;
    };

    if (!config.methods.has(req.method.toUpperCase())) return finish('bypass', await executeUnclaimed(execute));
    if (req.body.length > config.maxBodyBytes) return finish('too_large', problems.tooLarge(config.maxBodyBytes));

    const rawKey = headerValue(req.headers, config.keyHeader);
    if (rawKey === undefined) {
      if (keyRequired) return finish('missing_key', problems.missingKey(config.keyHeader));
      return finish('unkeyed', await executeUnclaimed(execute));
    }
    const parsed = parseIdempotencyKey(rawKey, config.keySyntax);
    if (!parsed.ok) return finish('invalid_key', problems.invalidKey(config.keyHeader, parsed.reason));

    tenant = config.tenantOf(req);
    if (typeof tenant !== 'string' || tenant.length === 0) {
      throw new TypeError(`tenantOf must return a non-empty string (the principal's id), got ${tenant === '' ? 'an empty string' : typeof tenant}`);
    }
    const scopedKey = behaviour.scope(tenant, parsed.key);
    key = scopedKey;
    const fingerprint = behaviour.fingerprint(req);

    let claim: ClaimResult;
    // The lease runs from the claim request at the latest: the keeper counts from here.
    const claimedAt = performance.now();
    try {
      claim = await behaviour.claim({ store, key: scopedKey, fingerprint, leaseMs, retentionMs, route: routeOf() });
    } catch (error) {
      return finish('store_error', await behaviour.onStoreError({ error, executeUnclaimed: () => executeUnclaimed(execute), problems }));
    }

    switch (claim.kind) {
      case 'completed': {
        // fromStoredResponse makes a fresh envelope: when renderReplay hands that very one back, mark
        // it in place instead of copying it once more.
        const fresh = fromStoredResponse(claim.response);
        const rendered = behaviour.renderReplay(fresh);
        if (rendered !== fresh) return finish('replay', withReplayMarker(rendered));
        fresh.headers[REPLAY_MARKER] = 'true';
        return finish('replay', fresh);
      }
      case 'mismatch':
        // The answer is 422 whatever the bookkeeping does; a store error here must not turn it into a 5xx.
        await behaviour.onMismatch({ store, key: scopedKey }).catch(() => {});
        return finish('mismatch', problems.mismatch());
      case 'in-flight':
        return finish(
          'in_flight_conflict',
          await behaviour.onInFlight({ store, key: scopedKey, fingerprint, leaseMs, executeUnclaimed: () => executeUnclaimed(execute), problems }),
        );
      case 'new':
        try {
          return finish('new', await executeClaimed(claim, scopedKey, execute, keyHash, claimedAt));
        } catch (error) {
          // Only abandonment gets here; status 0 records "no answer was given".
          if (isAbandoned(error)) finish('new', { status: 0, headers: {}, body: Buffer.alloc(0) });
          throw error;
        }
    }
  }

  return { handle, settings, problems };
}
