// What HTTP lets a header carry (RFC 9110 section 5): a token for the name, and for the value
// visible ASCII, space, tab and obs-text (Latin-1). A value read from a file with its trailing
// newline, a NUL or a character outside Latin-1 would make the HTTP client throw in the middle
// of a run, so every header is checked here, where the input is, with a message that says why.

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (ch === '\n') return `a line feed (${hex})`;
  if (ch === '\r') return `a carriage return (${hex})`;
  if (ch === '\0') return `a NUL byte (${hex})`;
  if (cp < 0x20 || cp === 0x7f) return `a control character (${hex})`;
  return `'${ch}' (${hex}), outside Latin-1`;
}

/** Why `name` cannot be a header name, or undefined. */
export function headerNameProblem(name: string): string | undefined {
  if (TOKEN.test(name)) return undefined;
  const bad = [...name].find((c) => !TOKEN.test(c));
  return `header name '${JSON.stringify(name).slice(1, -1)}' is not an HTTP token${bad ? `: it contains ${describeChar(bad)}` : ''}`;
}

/** Why `value` cannot be sent as a header value, or undefined. */
export function headerValueProblem(value: string): string | undefined {
  let col = 0;
  for (const ch of value) {
    col += 1;
    const cp = ch.codePointAt(0)!;
    const ok = cp === 0x09 || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0x80 && cp <= 0xff);
    if (!ok) {
      const hint = ch === '\n' || ch === '\r' ? ' (a value read from a file keeps its trailing newline: strip it)' : '';
      return `header value contains ${describeChar(ch)} at character ${col}; HTTP header values allow visible ASCII, space, tab and Latin-1 only${hint}`;
    }
  }
  return undefined;
}
