// Store keys and fingerprints as Redis sees them. A record key is `<prefix>{<encoded key>}`: the
// braces make the key the Redis Cluster hash tag, so every script touches one slot, and the fixed
// prefix and suffix keep the mapping one-to-one whatever the key contains (`:`, globs, spaces).
//
// The encoding is one-to-one and leaves nearly every key unchanged. It rewrites three things:
// - a lone surrogate becomes the six characters `\uD800`: it has no UTF-8 form, and ioredis would
//   send U+FFFD, so '\uD800' and '\uD801' would collide;
// - `}` becomes `\u007D`, so the hash tag always ends at our closing brace. (Otherwise a key
//   starting with `}` gives an empty tag, and ioredis' slot function disagrees with Redis whenever
//   another `}` follows: the command goes to the wrong node and fails with MOVED.)
// - a backslash becomes `\\`, so the escapes above cannot be forged.
// Everything stays a string: ioredis computes the Cluster slot of a Buffer key from its lossy UTF-8
// text under auto-pipelining, so Buffer keys could be routed to the wrong node too.

const MAY_NEED_ESCAPING = /[\\}\uD800-\uDFFF]/;
const ESCAPED = /\\|\}|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function escapeUnit(unit: string): string {
  return unit === '\\' ? '\\\\' : `\\u${unit.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `value` as well-formed text without `}`, one-to-one: unchanged unless it holds `\`, `}` or a lone surrogate. */
export function redisText(value: string): string {
  return MAY_NEED_ESCAPING.test(value) ? value.replace(ESCAPED, escapeUnit) : value;
}

/** The record key of idempotency key `key` under `prefix` (a prefix without braces). */
export function recordKey(prefix: string, key: string): string {
  return `${prefix}{${redisText(key)}}`;
}
