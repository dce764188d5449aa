import { UnknownIdError, UsageError } from '../core/errors.js';
import { Registry } from '../core/registry.js';
import { closest } from '../core/suggest.js';
import type { CustomProfile } from '../scenario/schema.js';
import { BUILTIN_PROFILES } from './builtin.js';
import type { Profile, Situation } from './profile.js';

export type { ErrorPolicy, Profile, Situation } from './profile.js';

const registry = new Registry<Profile>('profile', (p) => p.id);
for (const p of BUILTIN_PROFILES) registry.register(p);

/** Adds a profile for every run (scenario-declared profiles need no registration); a taken id is an error. */
export function registerProfile(profile: Profile): void {
  registry.register(profile);
}

/** A custom profile: its base with the declared rules replaced, citing which profile says so. */
export function deriveProfile(id: string, custom: CustomProfile): Profile {
  const base = registry.find(custom.extends);
  if (!base) throw new UsageError(`profile '${id}' extends unknown profile '${custom.extends}'`, `built-in profiles: ${registry.ids().join(', ')}`);
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
  const profile = registry.find(id);
  if (!profile) {
    const known = [...registry.ids(), ...Object.keys(custom)];
    throw new UnknownIdError('profile', id, known, closest(id, known));
  }
  return profile;
}

export function listProfiles(): Profile[] {
  return registry.values();
}
