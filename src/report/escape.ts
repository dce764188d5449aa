// Escaping for every text format the reporters write. Report content comes from the audited server
// (bodies, headers, messages that quote them): treat every string as hostile.

/**
 * Characters XML 1.0 forbids even as character references (C0 controls other than tab, LF and CR,
 * lone surrogates, U+FFFE and U+FFFF). They are shown as a visible `\uXXXX` instead.
 */
// eslint-disable-next-line no-control-regex
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const hex4 = (c: string): string => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Text content of an XML element. */
export function xmlText(value: string): string {
  return value.replace(XML_ILLEGAL, hex4).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A double-quoted XML attribute value; tab, LF and CR as references so attribute normalisation keeps them. */
export function xmlAttr(value: string): string {
  return xmlText(value).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

/** Controls other than tab, LF and CR (C0, DEL, C1) and lone surrogates: parse errors in HTML. */
// eslint-disable-next-line no-control-regex
const HTML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text or a double- or single-quoted attribute value in HTML; controls shown as `\uXXXX`. */
export function html(value: string | number): string {
  return String(value)
    .replace(HTML_ILLEGAL, hex4)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * JSON that is safe inside `<script type="application/json">`: no `<`, `>` or `&` can close the
 * element or open a comment, and U+2028/U+2029 are escaped for older JS parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inline Markdown text: no HTML, links, emphasis or table breaks can be injected; one line. */
export function md(value: string | number): string {
  return String(value)
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(HTML_ILLEGAL, hex4)
    .replace(/&/g, '&amp;')
    .replace(/[\\`*_[\]<>#|~]/g, (c) => `\\${c}`);
}

/** An inline code span that holds any text; `cell` escapes pipes for a GFM table cell. */
export function mdCode(value: string, cell = false): string {
  const flat = value.replace(/\r\n|\r|\n/g, ' ').replace(HTML_ILLEGAL, hex4);
  const text = cell ? flat.replace(/\|/g, '\\|') : flat;
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block that no line of `text` can close early. */
export function mdFence(text: string, info = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`{3,}|~{3,}/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${info}\n${text}\n${fence}`;
}

/** Drop controls that would garble a terminal or a code block (keeps tab and newline). */
export function printable(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, hex4);
}
