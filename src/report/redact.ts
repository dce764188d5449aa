// Secrets never reach a report or a log: credential headers, scenario-declared fields and the
// literal values of every credential are scrubbed when an exchange becomes a record.
import type { Exchange, ExchangeRecord } from '../core/exchange.js';
import { sha256 } from '../core/exchange.js';

export const REDACTED = '[REDACTED]';
/** Headers that are secret in every run, whatever the scenario says. */
export const SECRET_HEADERS: readonly string[] = ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'];
/** Query parameter and field names that carry credentials by convention: redacted without being declared. */
export const CREDENTIAL_QUERY_NAMES: readonly string[] = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'apikey',
  'api-key',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'signature',
  'sig',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
];

/**
 * The spellings a secret takes when a server reflects it: as is, URL-encoded (both space styles),
 * JSON-escaped, base64 (standard and URL-safe, padded or not). A target that echoes a token in a
 * Location header or a base64 debug field must not carry it into a report.
 */
export function secretForms(secret: string): string[] {
  const b64 = Buffer.from(secret, 'utf8').toString('base64');
  const forms = [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    encodeURI(secret),
    JSON.stringify(secret).slice(1, -1),
    b64,
    b64.replace(/=+$/, ''),
    b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
  ];
  // Double-encoded (a URL inside a query string) and JSON inside JSON.
  forms.push(encodeURIComponent(encodeURIComponent(secret)), JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1));
  return [...new Set(forms)];
}

/** `scheme://user:password@host...` -> `scheme://[REDACTED]@host...`: URL credentials are never shown. */
export function stripUserinfo(text: string): string {
  // Up to the last `@` before the host: a password may hold an unencoded `@`.
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>]+@/gi, `$1${REDACTED}@`);
}

export interface RedactionPolicy {
  /** Header names and JSON field names (any depth), compared case-insensitively. */
  names: string[];
  /** Literal secret values (credentials) scrubbed wherever they appear. */
  secrets: string[];
  /** Longest body excerpt kept in a record, in characters. */
  maxBody: number;
}

/** Headers whose value is a URL: their query strings get the name-based rules too. */
const URL_HEADERS = new Set(['location', 'content-location', 'referer', 'link']);

export class Redactor {
  readonly #names: Set<string>;
  readonly #secrets: string[];
  readonly #maxBody: number;

  constructor(policy: Partial<RedactionPolicy> = {}) {
    this.#names = new Set([...SECRET_HEADERS, ...CREDENTIAL_QUERY_NAMES, ...(policy.names ?? [])].map((n) => n.toLowerCase()));
    // Every reflected spelling of every secret, longest first so a secret containing another is
    // scrubbed whole; very short values would shred ordinary text, so values under 4 characters are
    // left to the name-based rules.
    const values = [...new Set(policy.secrets ?? [])].filter((s) => s.length >= 4);
    this.#secrets = [...new Set(values.flatMap(secretForms))].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
    this.#maxBody = policy.maxBody ?? 2048;
  }

  text(value: string): string {
    let out = value.includes('@') ? stripUserinfo(value) : value;
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  headers(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase();
      out[name] = this.#names.has(lower) ? REDACTED : URL_HEADERS.has(lower) ? this.url(value) : this.text(value);
    }
    return out;
  }

  #json(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((n) => this.#json(n));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = this.#names.has(k.toLowerCase()) ? REDACTED : this.#json(v);
      return out;
    }
    return typeof node === 'string' ? this.text(node) : node;
  }

  /** Any JSON-like value with named fields redacted and secrets scrubbed (facts, options). */
  value<T>(value: T): T {
    return this.#json(value) as T;
  }

  /** A URL (or path) with named query parameters redacted and secrets scrubbed. */
  url(url: string): string {
    const q = url.indexOf('?');
    if (q < 0) return this.text(url);
    const hash = url.indexOf('#', q);
    const query = hash < 0 ? url.slice(q + 1) : url.slice(q + 1, hash);
    return this.text(url.slice(0, q + 1) + this.#form(query) + (hash < 0 ? '' : url.slice(hash)));
  }

  /** application/x-www-form-urlencoded text with named fields redacted. */
  #form(text: string): string {
    return text
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 0) return pair;
        let name = pair.slice(0, eq);
        try {
          name = decodeURIComponent(name.replace(/\+/g, ' '));
        } catch {
          // keep the raw name
        }
        return this.#names.has(name.toLowerCase()) ? `${pair.slice(0, eq)}=${encodeURIComponent(REDACTED)}` : pair;
      })
      .join('&');
  }

  /** Redacted, bounded excerpt of a body. JSON and form bodies keep their shape with redacted fields. */
  body(body: Buffer): string {
    const raw = body.toString('utf8');
    let shown = raw;
    try {
      shown = JSON.stringify(this.#json(JSON.parse(raw)));
    } catch {
      shown = /^[^\s=&]+=[^\s]*$/.test(raw) ? this.text(this.#form(raw)) : this.text(raw);
    }
    return shown.length > this.#maxBody ? `${shown.slice(0, this.#maxBody)}… (${body.length} bytes)` : shown;
  }

  record(e: Exchange): ExchangeRecord {
    const rec: ExchangeRecord = {
      seq: e.seq,
      label: e.label,
      endpoint: e.endpoint,
      request: { method: e.request.method, url: this.url(e.request.url), headers: this.headers(e.request.headers) },
      startedAt: Math.round(e.startedAt * 1000) / 1000,
      durationMs: Math.round(e.durationMs * 1000) / 1000,
    };
    if (e.tenant !== undefined) rec.tenant = e.tenant;
    if (e.key !== undefined) rec.key = e.key;
    if (e.request.body) rec.request.body = this.body(e.request.body);
    if (e.response) {
      rec.response = {
        status: e.response.status,
        headers: this.headers(e.response.headers),
        body: e.response.truncated ? `${this.body(e.response.body)} … (truncated: ${e.response.truncated.bytes} bytes in all)` : this.body(e.response.body),
        bodyBytes: e.response.truncated?.bytes ?? e.response.body.length,
        bodySha256: e.response.truncated?.sha256 ?? sha256(e.response.body),
      };
    }
    if (e.error !== undefined) rec.error = this.text(e.error);
    return rec;
  }
}
