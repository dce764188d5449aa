// The flaw catalogue: name-keyed, typed, and the only place that composes flaws into a behaviour.
import { UsageError } from '../../core/errors.js';
import { correctBehaviour, type LayerBehaviour } from '../../reference/layer/behaviour.js';
import { bodyKey } from './body-key.js';
import { cache5xx } from './cache-5xx.js';
import { downstreamFreshKey } from './downstream-fresh-key.js';
import { downstreamNoKey } from './downstream-no-key.js';
import { failOpen } from './fail-open.js';
import { globalLockFlaw } from './global-lock.js';
import { headerDrop } from './header-drop.js';
import { inflightOverwrite } from './inflight-overwrite.js';
import { instanceLocalLock } from './instance-local-lock.js';
import { noFingerprint } from './no-fingerprint.js';
import { noInflight } from './no-inflight.js';
import { noKeyRequired } from './no-key-required.js';
import { noTenantScope } from './no-tenant-scope.js';
import { orphanLock } from './orphan-lock.js';
import { poison } from './poison.js';
import { race } from './race.js';
import { regionLocalStore } from './region-local-store.js';
import { redisGetSet } from './redis-get-set.js';
import { regenerate } from './regenerate.js';
import { replayConflict } from './replay-conflict.js';
import { retryMismatch } from './retry-mismatch.js';
import { tickRace } from './tick-race.js';
import { shortTtl } from './short-ttl.js';
import type { Flaw, FlawOptions } from './types.js';

const ALL = [
  race,
  noFingerprint,
  noTenantScope,
  regenerate,
  noInflight,
  noKeyRequired,
  shortTtl,
  headerDrop,
  cache5xx,
  orphanLock,
  poison,
  failOpen,
  replayConflict,
  retryMismatch,
  tickRace,
  regionLocalStore,
  instanceLocalLock,
  bodyKey,
  globalLockFlaw,
  inflightOverwrite,
  redisGetSet,
  downstreamNoKey,
  downstreamFreshKey,
] as const;

export type FlawName = (typeof ALL)[number]['name'];

export const FLAWS: Readonly<Record<FlawName, Flaw<FlawName>>> = Object.freeze(
  Object.fromEntries(ALL.map((flaw) => [flaw.name, flaw])) as Record<FlawName, Flaw<FlawName>>,
);

export const FLAW_NAMES: readonly FlawName[] = ALL.map((flaw) => flaw.name);

export type FlawInfo = Omit<Flaw<FlawName>, 'apply'>;

/** The catalogue without behaviour, for `idemaudit list flaws` and the health route. */
export function listFlaws(): FlawInfo[] {
  return ALL.map(({ name, description, bugClass, level, caughtBy }) => ({ name, description, bugClass, level, caughtBy }));
}

export function isFlawName(name: string): name is FlawName {
  return (FLAW_NAMES as readonly string[]).includes(name);
}

/** Validates names, reporting every unknown one at once; returns them deduplicated in catalogue order. */
export function parseFlawNames(names: Iterable<string>): FlawName[] {
  const requested = new Set(names);
  const unknown = [...requested].filter((name) => !isFlawName(name));
  if (unknown.length > 0) {
    const known = `known flaws: ${FLAW_NAMES.join(', ')}`;
    throw new UsageError(`unknown flaw${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (${known})`, known);
  }
  return FLAW_NAMES.filter((name) => requested.has(name));
}

/** The correct behaviour with each named flaw applied, in catalogue order (deterministic composition). */
export function behaviourWith(flaws: Iterable<string>, options: FlawOptions = {}): LayerBehaviour {
  return parseFlawNames(flaws).reduce<LayerBehaviour>((behaviour, name) => FLAWS[name].apply(behaviour, options), correctBehaviour);
}

/** The layer's `flaws` option for these flaw names (validated; unknown names throw). */
export function flawOption(names: Iterable<string>, options: FlawOptions = {}): { names: FlawName[]; behaviour: LayerBehaviour } {
  const valid = parseFlawNames(names);
  return { names: valid, behaviour: behaviourWith(valid, options) };
}
