// Which checks a run executes, and their validated options.
import { getCheck, CHECK_IDS, DEFAULT_CHECK_IDS, type CheckId } from '../checks/index.js';
import { UsageError } from '../core/errors.js';
import type { Scenario } from '../scenario/schema.js';

export function selectChecks(scenario: Scenario, only: string[] = [], skip: string[] = []): CheckId[] {
  for (const id of [...only, ...skip]) {
    if (!(CHECK_IDS as readonly string[]).includes(id)) throw new UsageError(`unknown check id '${id}'`, `known: ${CHECK_IDS.join(', ')}`);
  }
  const declared = Object.keys(scenario.checks) as CheckId[];
  const base = declared.length > 0 ? declared : [...DEFAULT_CHECK_IDS];
  return base.filter((id) => (only.length === 0 || only.includes(id)) && !skip.includes(id));
}

export function parseOptions(id: CheckId, raw: unknown, file: string | undefined): unknown {
  const parsed = getCheck(id).options.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
  throw new UsageError(`${file ?? 'scenario'}: options of check '${id}': ${detail}`);
}
