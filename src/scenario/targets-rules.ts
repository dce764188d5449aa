// Rules of `targets:` (several instances or regions of one API) that span fields: the schema checks
// each URL, these check how the entries fit the scenario's `target`.
import type { Finding } from './finding.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function targetsProblems(raw: Obj): Finding[] {
  if (!isObj(raw.targets)) return [];
  const out: Finding[] = [];
  const entries = Object.entries(raw.targets);
  for (const [name, value] of entries) {
    // An embedded instance can only share the store of an embedded primary: a remote target's store is out of reach.
    if (value === 'self' && raw.target !== 'self')
      out.push({
        path: ['targets', name],
        message: `'self' starts another embedded instance sharing the store of target self, but target is ${JSON.stringify(raw.target)}: give this instance's base URL instead`,
      });
  }
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    if (typeof value !== 'string' || value === 'self') continue;
    const norm = value.replace(/\/+$/, '');
    // Two names for one URL is one instance: a cross-instance check over it would prove nothing.
    if (seen.has(norm)) out.push({ path: ['targets', name], message: `${value} is listed twice: each entry must be a different instance or region` });
    seen.add(norm);
  }
  return out;
}
