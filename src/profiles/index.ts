import { UsageError } from '../core/errors.js';
import type { CustomProfile } from '../scenario/schema.js';
import { BUILTIN_PROFILES } from './builtin.js';
import type { Profile, Situation } from './profile.js';

export type { ErrorPolicy, Profile, Situation } from './profile.js';

const registry = new Map<string, Profile>(BUILTIN_PROFILES.map((p) => [p.id, p]));

/** A custom profile: its base with the declared rules replaced, citing which profile says so. */
export function deriveProfile(id: string, custom: CustomProfile): Profile {
  const base = registry.get(custom.extends);
  if (!base) throw new UsageError(`profile '${id}' extends unknown profile '${custom.extends}'`, `built-in profiles: ${[...registry.keys()].join(', ')}`);
  const cite = Object.fromEntries(Object.entries(base.cite).map(([k, v]) => [k, `profile ${id} (from ${base.id}: ${v})`])) as Record<Situation, string>;
  const profile: Profile = {
    ...base,
    id,
    title: custom.title ?? `${id} (custom, extends ${base.id})`,
    source: `custom profile ${id}, extends ${base.source}`,
    keyFormat: custom.keyFormat ?? base.keyFormat,
    keyRequired: custom.keyRequired ?? base.keyRequired,
    expect: { ...base.expect, ...custom.expect },
    replayMarker: custom.replayMarker ?? base.replayMarker,
    errors: { ...base.errors, ...custom.errors },
    cite,
  };
  const retention = custom.retention ?? base.retentionMs;
  if (retention !== undefined) profile.retentionMs = retention;
  return profile;
}

/** Looks a profile up among the scenario's custom ones first, then the built-ins. */
export function getProfile(id: string, custom: Record<string, CustomProfile> = {}): Profile {
  const declared = custom[id];
  if (declared) return deriveProfile(id, declared);
  const profile = registry.get(id);
  if (!profile) {
    const known = [...registry.keys(), ...Object.keys(custom)];
    throw new UsageError(`unknown profile '${id}'`, `known profiles: ${known.join(', ')}`);
  }
  return profile;
}

export function listProfiles(): Profile[] {
  return [...registry.values()];
}
