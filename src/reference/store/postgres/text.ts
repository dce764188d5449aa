// Keys, scopes and fingerprints as PostgreSQL text. A JS string may hold what a UTF-8 text column
// cannot: NUL, and lone surrogates (node-postgres would send U+FFFD, so '\uD800' and '\uD801' would
// collide). The escaping is one-to-one and leaves ordinary keys unchanged: a backslash becomes `\\`,
// NUL and lone surrogates become `\u0000`-style escapes.
// eslint-disable-next-line no-control-regex -- NUL is exactly what PostgreSQL text cannot hold
const MAY_NEED_ESCAPING = /[\\\u0000\uD800-\uDFFF]/;
// eslint-disable-next-line no-control-regex -- as above
const ESCAPED = /\\|\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function escapeUnit(unit: string): string {
  return unit === '\\' ? '\\\\' : `\\u${unit.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

export function pgText(value: string): string {
  return MAY_NEED_ESCAPING.test(value) ? value.replace(ESCAPED, escapeUnit) : value;
}

/** Scope of keys that carry none (no ':'), which no real scope can equal (a scope never contains ':'). */
export const UNSCOPED = ':';

/**
 * The (scope, key) row address of a layer store key `<percent-encoded tenant>:<key>`: the text before
 * the first ':' and the rest. One-to-one for any string: a key without ':' gets the scope ':'.
 */
export function rowAddress(storeKey: string): [scope: string, key: string] {
  const colon = storeKey.indexOf(':');
  if (colon < 0) return [UNSCOPED, pgText(storeKey)];
  return [pgText(storeKey.slice(0, colon)), pgText(storeKey.slice(colon + 1))];
}

/** A double-quoted SQL identifier. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes('\u0000')) throw new TypeError(`PostgreSQL store: invalid identifier ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}
