// Parses the Idempotency-Key header value. The draft makes it an RFC 9651 sf-string: a quoted string
// of printable ASCII where only `\"` and `\\` are escapes. `lenient` also accepts a bare value of
// the same character set, as many real APIs do (Stripe takes bare keys).
import type { KeySyntax } from './types.js';

export const MAX_KEY_LENGTH = 255;

export type KeyParseResult = { ok: true; key: string } | { ok: false; reason: string };

const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

function isPrintableAscii(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

/** RFC 9651 section 4.2.5, for a value that must be exactly one string (no parameters). */
function parseSfString(value: string): KeyParseResult {
  if (value.charCodeAt(0) !== DQUOTE) return { ok: false, reason: 'key must be a quoted sf-string, e.g. "abc"' };
  // The common case: no escapes, printable ASCII, the closing quote last. One slice instead of a
  // string built a character at a time (a cons string per character, flattened on first use). Huge
  // headers take the slow path, which stops reading at the length limit.
  const last = value.length - 1;
  if (last > 0 && last <= MAX_KEY_LENGTH + 1 && value.charCodeAt(last) === DQUOTE) {
    let plain = true;
    for (let i = 1; i < last && plain; i++) {
      const code = value.charCodeAt(i);
      plain = code !== BACKSLASH && code !== DQUOTE && isPrintableAscii(code);
    }
    if (plain) return checkLength(value.slice(1, last));
  }
  let key = '';
  for (let i = 1; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === BACKSLASH) {
      const next = value.charCodeAt(i + 1);
      if (next !== DQUOTE && next !== BACKSLASH) return { ok: false, reason: 'only \\" and \\\\ escapes are allowed' };
      key += value[i + 1];
      i++;
      continue;
    }
    if (code === DQUOTE) {
      // Parameters (`"k";p=1`) are legal sf syntax but meaningless here: reject rather than guess.
      if (i !== value.length - 1) return { ok: false, reason: 'unexpected characters after the closing quote' };
      return checkLength(key);
    }
    if (!isPrintableAscii(code)) return { ok: false, reason: 'key contains a non-printable or non-ASCII character' };
    key += value[i];
    // Stop early on huge headers; the exact reason stays the same as for a complete over-long key.
    if (key.length > MAX_KEY_LENGTH) return checkLength(key);
  }
  return { ok: false, reason: 'missing closing quote' };
}

function parseBare(value: string): KeyParseResult {
  for (let i = 0; i < value.length; i++) {
    if (!isPrintableAscii(value.charCodeAt(i))) {
      return { ok: false, reason: 'key contains a non-printable or non-ASCII character' };
    }
  }
  return checkLength(value);
}

function checkLength(key: string): KeyParseResult {
  if (key.length === 0) return { ok: false, reason: 'key is empty' };
  if (key.length > MAX_KEY_LENGTH) return { ok: false, reason: `key is longer than ${MAX_KEY_LENGTH} characters` };
  return { ok: true, key };
}

/** Strips the optional whitespace HTTP allows around a field value (SP and HTAB only). */
function trimOws(value: string): string {
  const padded = isOws(value.charCodeAt(0)) || isOws(value.charCodeAt(value.length - 1));
  return padded ? value.replace(/^[ \t]+|[ \t]+$/g, '') : value;
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * Parses one header value into the key it names (unquoted and unescaped).
 * A repeated header (array) is malformed: the sf-string is a single item, not a list.
 */
export function parseIdempotencyKey(raw: string | string[], syntax: KeySyntax): KeyParseResult {
  if (Array.isArray(raw)) return { ok: false, reason: 'the header was sent more than once' };
  const value = trimOws(raw);
  if (value.length === 0) return { ok: false, reason: 'key is empty' };
  if (syntax === 'sf-string' || value.charCodeAt(0) === DQUOTE) return parseSfString(value);
  return parseBare(value);
}
