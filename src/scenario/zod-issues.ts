// Turns zod issues into findings worded for people writing YAML, each addressed by its path.
import type { z } from 'zod';
import { CHECK_OPTIONS } from './check-options/index.js';
import { formatPath, type Finding, type Path } from './finding.js';
import { closest } from '../core/suggest.js';

/** Which keys a strict object accepts at a path (injected so this module stays free of the schema). */
export type KeysAt = (path: Path) => string[];

function has(data: unknown, path: Path): boolean {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, seg)) return false;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return true;
}

function at(path: Path): string {
  return path.length > 0 ? formatPath(path) : 'top level';
}

function unknownKey(path: Path, key: string, keysAt: KeysAt): string {
  if (path.length === 1 && path[0] === 'checks') {
    const known = CHECK_OPTIONS.ids();
    const hint = closest(key, known);
    return `unknown check id '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}; known: ${known.join(', ')}`;
  }
  const allowed = keysAt(path);
  const hint = closest(key, allowed);
  const where = path.length > 0 ? ` in ${formatPath(path)}` : '';
  if (hint) return `unknown key '${key}'${where} (did you mean '${hint}'?)`;
  return `unknown key '${key}'${where}${allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : ''}`;
}

// zod's generic prefixes add nothing once the path is in front of the message.
function plain(message: string): string {
  return message.replace(/^Invalid (input|option): /, '');
}

function got(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_format' && issue.code !== 'invalid_value') return '';
  const input: unknown = issue.input;
  return typeof input === 'string' || typeof input === 'number' ? ` (got ${JSON.stringify(input)})` : '';
}

export function findingsFromIssue(issue: z.core.$ZodIssue, data: unknown, keysAt: KeysAt): Finding[] {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...path, key], at: 'key', message: unknownKey(path, key, keysAt) }));
  }
  if (issue.code === 'invalid_key') {
    const key = String(path[path.length - 1]);
    const why = issue.issues.map((i) => i.message).join('; ');
    return [{ path, at: 'key', message: `invalid name '${key}' in ${at(path.slice(0, -1))}: ${why}` }];
  }
  // zod reports a missing required key at the absent path: point at the mapping that lacks it.
  if (path.length > 0 && !has(data, path) && has(data, path.slice(0, -1))) {
    const parent = path.slice(0, -1);
    return [{ path: parent, message: `missing required key '${String(path[path.length - 1])}' in ${at(parent)}` }];
  }
  return [{ path, message: `${at(path)}: ${plain(issue.message)}${got(issue)}` }];
}
