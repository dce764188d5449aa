// The one sanitizer for text bound for a terminal. Report content comes from the audited server
// (bodies, headers, reason phrases) and from user input; escape sequences in it could clear the
// screen, retitle the window, forge hyperlinks or hide lines. Every C0 control but tab and line
// feed, DEL, every C1 control and the bidirectional overrides are shown as a visible escape.

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_LINE = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  if (c === '\x1b') return '\\e';
  if (c === '\r') return '\\r';
  if (c === '\n') return '\\n';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Text safe for a terminal; line feeds and tabs are kept. */
export function sanitizeText(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** One line safe for a terminal: line feeds are escaped too. */
export function sanitizeLine(text: string): string {
  return text.replace(UNSAFE_LINE, visible);
}

/** Every string inside `value` (keys included) sanitized; the input is not mutated. */
export function sanitizeDeep<T>(value: T): T {
  if (typeof value === 'string') return sanitizeText(value) as T;
  if (Array.isArray(value)) return (value as unknown[]).map((v) => sanitizeDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [sanitizeText(k), sanitizeDeep(v)])) as T;
  }
  return value;
}
