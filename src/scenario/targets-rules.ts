// Rules of `targets:` (several instances or regions of one API; the scenario's and any endpoint's) that
// span fields: the schema checks each URL, these check how the entries fit the scenario's `target`.
import type { Finding } from './finding.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The target as a message shows it: a URL without its credentials (userinfo, query, fragment). */
function shownTarget(target: unknown): string {
  if (typeof target !== 'string') return JSON.stringify(target);
  try {
    const url = new URL(target);
    return JSON.stringify(`${url.protocol}//${url.host}${url.pathname === '/' && !target.endsWith('/') ? '' : url.pathname}`);
  } catch {
    return JSON.stringify(target.replace(/[?#].*$/, '').replace(/\/\/[^/]*@/, '//'));
  }
}

/** Problems of the scenario's `targets:` and of every endpoint's own (positioned at the entry). */
export function targetsProblems(raw: Obj): Finding[] {
  const out = mapProblems(raw.targets, ['targets'], raw.target);
  if (Array.isArray(raw.endpoints))
    raw.endpoints.forEach((e, i) => {
      if (isObj(e)) out.push(...mapProblems(e.targets, ['endpoints', i, 'targets'], raw.target));
    });
  return out;
}

function mapProblems(targets: unknown, at: Array<string | number>, target: unknown): Finding[] {
  if (!isObj(targets)) return [];
  const out: Finding[] = [];
  const entries = Object.entries(targets);
  for (const [name, value] of entries) {
    // An embedded instance can only share the store of an embedded primary: a remote target's store is out of reach.
    if (value === 'self' && target !== 'self')
      out.push({
        path: [...at, name],
        message: `'self' starts another embedded instance sharing the store of target self, but target is ${shownTarget(target)}: give this instance's base URL instead`,
      });
  }
  const seen = new Map<string, string>();
  for (const [name, value] of entries) {
    if (typeof value !== 'string' || value === 'self') continue;
    const norm = value.replace(/\/+$/, '');
    // Two names for one URL is one instance: a cross-instance check over it would prove nothing.
    // Named by entry, not by URL: the URL may carry credentials.
    const first = seen.get(norm);
    if (first !== undefined)
      out.push({ path: [...at, name], message: `${name} has the same URL as ${first}: each entry must be a different instance or region` });
    else seen.set(norm, name);
  }
  return out;
}
