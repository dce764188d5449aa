// The framework-agnostic idempotency layer (profile ietf-07, GUIDE section 1). One request goes:
// method filter -> size -> key present -> key syntax -> claim -> new | replay | in-flight | mismatch.
// Every decision a flaw may change is taken through `behaviour`; the layer itself has no flaw ifs.
import { performance } from 'node:perf_hooks';
import { behaviourWith, parseFlawNames } from '../flaws/registry.js';
import { isAbandoned } from './abandoned.js';
import type { LayerBehaviour } from './behaviour.js';
import type { ClaimResult, NewClaim } from './claim.js';
import { fromStoredResponse, toStoredResponse, withReplayMarker } from './envelope.js';
import { hashPrefix } from './hash.js';
import { headerValue } from './headers.js';
import { instrumentStore } from './instrumented-store.js';
import { parseIdempotencyKey } from './key-syntax.js';
import { resolveLayerOptions, type LayerOptions } from './options.js';
import { problems } from './problem.js';
import type {
  Execute,
  IdempotencyLayer,
  LayerEvent,
  LayerRequest,
  LayerSettings,
  Outcome,
  ResponseEnvelope,
} from './types.js';

interface RequestFacts {
  keyHash?: string;
  tenant?: string;
}

export function createIdempotencyLayer(options: LayerOptions): IdempotencyLayer {
  const config = resolveLayerOptions(options);
  const flawNames = parseFlawNames(options.flaws ?? []);
  const behaviour: LayerBehaviour = behaviourWith(flawNames);

  const emit = (event: LayerEvent): void => {
    try {
      config.onEvent?.(event);
    } catch {
      // Observability must never change an answer.
    }
  };
  const store = instrumentStore(config.store, emit, config.storeTimeoutMs);
  const retentionMs = behaviour.retentionMs(config.retentionMs);
  const leaseMs = behaviour.leaseMs(config.leaseMs);
  const keyRequired = behaviour.keyRequired(config.keyRequired);

  const settings: LayerSettings = {
    keyHeader: config.keyHeader,
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

  /** Runs the handler with no claim held; a thrown error becomes a 500 (abandonment propagates). */
  async function executeUnclaimed(execute: Execute): Promise<ResponseEnvelope> {
    try {
      return await execute();
    } catch (error) {
      if (isAbandoned(error)) throw error;
      return problems.handlerFailed();
    }
  }

  /** Runs the handler under a claim, then keeps or releases the result. */
  async function executeClaimed(claim: NewClaim, execute: Execute, keyHash: string): Promise<ResponseEnvelope> {
    emit({ type: 'in-flight', delta: 1 });
    try {
      let response: ResponseEnvelope;
      try {
        response = await execute();
      } catch (error) {
        if (isAbandoned(error)) {
          await settleQuietly(claim, { kind: 'abandon' }, keyHash);
          throw error;
        }
        await settleQuietly(claim, { kind: 'release' }, keyHash);
        return problems.handlerFailed();
      }
      const keep = behaviour.keepsResult(response.status, config.replay5xx);
      await settleQuietly(
        claim,
        keep ? { kind: 'store', response: toStoredResponse(response, config.replayHeaders) } : { kind: 'release' },
        keyHash,
      );
      // The side effect has run: its own answer is the truth, whatever happened to the record of it.
      return response;
    } finally {
      emit({ type: 'in-flight', delta: -1 });
    }
  }

  async function settleQuietly(claim: NewClaim, settlement: Parameters<NewClaim['settle']>[0], keyHash: string): Promise<void> {
    try {
      const owned = await claim.settle(settlement);
      if (!owned) emit({ type: 'settle-failed', keyHash, reason: 'claim lost (lease expired and the key was re-claimed)' });
    } catch (error) {
      emit({ type: 'settle-failed', keyHash, reason: error instanceof Error ? error.message : String(error) });
    }
  }

  async function handle(req: LayerRequest, execute: Execute): Promise<ResponseEnvelope> {
    const started = performance.now();
    const facts: RequestFacts = {};
    const finish = (outcome: Outcome, response: ResponseEnvelope): ResponseEnvelope => {
      emit({
        type: 'request',
        outcome,
        method: req.method,
        path: req.path,
        status: response.status,
        ...facts,
        durationMs: performance.now() - started,
      });
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

    facts.tenant = config.tenantOf(req.headers);
    const key = behaviour.scope(facts.tenant, parsed.key);
    facts.keyHash = hashPrefix(key);
    const fingerprint = behaviour.fingerprint(req);
    const unclaimed = () => executeUnclaimed(execute);

    let claim: ClaimResult;
    try {
      claim = await behaviour.claim({ store, key, fingerprint, leaseMs, retentionMs });
    } catch (error) {
      return finish('store_error', await behaviour.onStoreError({ error, executeUnclaimed: unclaimed }));
    }

    switch (claim.kind) {
      case 'completed':
        return finish('replay', withReplayMarker(behaviour.renderReplay(fromStoredResponse(claim.response))));
      case 'mismatch':
        // The answer is 422 whatever the bookkeeping does; a store error here must not turn it into a 5xx.
        await behaviour.onMismatch({ store, key }).catch(() => {});
        return finish('mismatch', problems.mismatch());
      case 'in-flight':
        return finish('in_flight_conflict', await behaviour.onInFlight({ store, key, fingerprint, leaseMs, executeUnclaimed: unclaimed }));
      case 'new':
        try {
          return finish('new', await executeClaimed(claim, execute, facts.keyHash));
        } catch (error) {
          // Only abandonment gets here; status 0 records "no answer was given".
          if (isAbandoned(error)) finish('new', { status: 0, headers: {}, body: Buffer.alloc(0) });
          throw error;
        }
    }
  }

  return { handle, settings };
}
