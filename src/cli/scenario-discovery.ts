// `idemaudit run` without an argument: the scenario is ./idemaudit.yaml (or .yml), as k6 and
// Schemathesis users expect a tool to find its config in the current folder.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';

export const DEFAULT_SCENARIO_FILES = ['idemaudit.yaml', 'idemaudit.yml'] as const;

/** The default scenario file in `dir`, relative as the user would type it; a usage error if none. */
export function discoverScenario(dir: string): string {
  const found = DEFAULT_SCENARIO_FILES.filter((name) => existsSync(path.join(dir, name)));
  if (found.length === 0) {
    throw new UsageError(
      `no scenario given and no ${DEFAULT_SCENARIO_FILES.join(' or ')} in ${dir}`,
      'pass a scenario file (idemaudit run <scenario>), or write one here with `idemaudit init`',
    );
  }
  if (found.length > 1) {
    throw new UsageError(`both ${found.join(' and ')} exist in ${dir}; say which one to run`, `idemaudit run ${found[0]}`);
  }
  return `.${path.sep}${found[0]}`;
}
