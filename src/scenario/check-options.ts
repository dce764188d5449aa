// Check options are validated at load time with each check's own schema, so a typo under
// `checks:` gets a file:line:col like every other mistake instead of failing mid-run.
import { getCheck, isCheckId } from '../checks/index.js';
import type { Finding, Path } from './finding.js';
import { allowedKeys } from './schema-keys.js';
import { findingsFromIssue } from './zod-issues.js';

export function checkOptionProblems(raw: Record<string, unknown>): Finding[] {
  const checks = raw.checks;
  if (checks === null || typeof checks !== 'object' || Array.isArray(checks)) return [];
  const out: Finding[] = [];
  for (const [id, options] of Object.entries(checks as Record<string, unknown>)) {
    if (!isCheckId(id) || (options !== null && (typeof options !== 'object' || Array.isArray(options)))) continue;
    const schema = getCheck(id).options;
    const parsed = schema.safeParse(options ?? {});
    if (parsed.success) continue;
    const prefix: Path = ['checks', id];
    const keysAt = (path: Path) => allowedKeys(schema, path.slice(prefix.length));
    for (const issue of parsed.error.issues) {
      out.push(...findingsFromIssue({ ...issue, path: [...prefix, ...issue.path] }, raw, keysAt));
    }
  }
  return out;
}
