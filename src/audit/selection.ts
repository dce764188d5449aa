// Which checks a run executes. Their options were parsed once, when the scenario loaded.
import { checkIds, defaultCheckIds } from '../checks/index.js';
import { UnknownIdError } from '../core/errors.js';
import { closest } from '../core/suggest.js';
import type { Scenario } from '../scenario/schema.js';

export function selectChecks(scenario: Scenario, only: string[] = [], skip: string[] = []): string[] {
  const known = checkIds();
  for (const id of [...only, ...skip]) {
    if (!known.includes(id)) throw new UnknownIdError('check id', id, known, closest(id, known));
  }
  const declared = Object.keys(scenario.checks);
  const base = declared.length > 0 ? declared : defaultCheckIds();
  return base.filter((id) => (only.length === 0 || only.includes(id)) && !skip.includes(id));
}
