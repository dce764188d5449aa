// Conversions between what a handler answered and what the store keeps for replay. Only allow-listed
// headers are stored: Set-Cookie, Date, request ids and rate-limit headers belong to one exchange
// and must never be replayed verbatim (GUIDE section 1, row 12).
import type { StoredResponse } from '../store/types.js';
import type { ResponseEnvelope } from './types.js';

export const DEFAULT_REPLAY_HEADERS = ['content-type', 'location', 'content-location', 'etag', 'last-modified', 'link'];

export const REPLAY_MARKER = 'idempotent-replayed';

/** replayHeaders: names to keep; a Set must hold them lower-cased already (the layer builds it once). */
export function toStoredResponse(response: ResponseEnvelope, replayHeaders: readonly string[] | ReadonlySet<string>): StoredResponse {
  const allowed: ReadonlySet<string> = isSet(replayHeaders) ? replayHeaders : new Set(replayHeaders.map((name) => name.toLowerCase()));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    const lower = name.toLowerCase();
    if (!allowed.has(lower)) continue;
    // Link may legitimately repeat; a comma-joined field value is equivalent (RFC 9110 section 5.3).
    headers[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { status: response.status, headers, bodyBase64: response.body.toString('base64') };
}

function isSet(names: readonly string[] | ReadonlySet<string>): names is ReadonlySet<string> {
  return names instanceof Set;
}

export function fromStoredResponse(stored: StoredResponse): ResponseEnvelope {
  return { status: stored.status, headers: { ...stored.headers }, body: Buffer.from(stored.bodyBase64, 'base64') };
}

export function withReplayMarker(response: ResponseEnvelope): ResponseEnvelope {
  return { ...response, headers: { ...response.headers, [REPLAY_MARKER]: 'true' } };
}

/** Lower-cases header names and drops undefined values (adapters hand over whatever their framework holds). */
export function normaliseHeaders(headers: Record<string, string | string[] | number | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = typeof value === 'number' ? String(value) : value;
  }
  return out;
}
