// Which checks a run executes. Their options were parsed once, when the scenario loaded.
import { checkIds, defaultCheckIds } from '../checks/index.js';
import { UnknownIdError, UsageError } from '../core/errors.js';
import { closest } from '../core/suggest.js';
import type { Scenario } from '../scenario/schema.js';

/** Checks over the scenario's `targets:` (several instances or regions of the API). */
const INSTANCE_CHECKS = ['cross-instance-duplicates', 'failover-replay'];

export function selectChecks(scenario: Scenario, only: string[] = [], skip: string[] = []): string[] {
  const known = checkIds();
  for (const id of [...only, ...skip]) {
    if (!known.includes(id)) throw new UnknownIdError('check id', id, known, closest(id, known));
  }
  const declared = Object.keys(scenario.checks);
  // A scenario that declares several instances or regions (for all endpoints or for one) runs the checks that need them too.
  const instances = scenario.targets !== undefined || scenario.endpoints.some((e) => e.targets !== undefined && Object.keys(e.targets).length > 0);
  const base = declared.length > 0 ? declared : [...defaultCheckIds(), ...(instances ? INSTANCE_CHECKS : [])];
  // --only naming a check the scenario does not run would select nothing and "pass": say so instead.
  const absent = only.filter((id) => !base.includes(id));
  if (absent.length > 0) {
    throw new UsageError(
      `--only ${absent.join(',')}: ${absent.length === 1 ? 'this check is' : 'these checks are'} not part of this scenario`,
      declared.length > 0
        ? `declare ${absent.map((id) => `'${id}:'`).join(', ')} under checks: (its options live there); declared: ${declared.join(', ')}`
        : `without checks: a scenario runs ${base.join(', ')}; declare the others under checks:`,
    );
  }
  return base.filter((id) => (only.length === 0 || only.includes(id)) && !skip.includes(id));
}
