import { UsageError } from '../errors/index.js';
import { BUILTIN_PROFILES } from './builtin.js';
import type { Profile } from './profile.js';

export type { Profile, Situation } from './profile.js';

const registry = new Map<string, Profile>(BUILTIN_PROFILES.map((p) => [p.id, p]));

export function getProfile(id: string): Profile {
  const profile = registry.get(id);
  if (!profile) throw new UsageError(`unknown profile '${id}'`, `known profiles: ${[...registry.keys()].join(', ')}`);
  return profile;
}

export function listProfiles(): Profile[] {
  return [...registry.values()];
}
