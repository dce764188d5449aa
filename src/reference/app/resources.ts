// Helpers shared by the demo resources: ids, ETags and the per-exchange headers (Set-Cookie,
// X-Request-Id) a correct layer must never replay.
import { randomBytes, randomUUID } from 'node:crypto';
import { sha256Hex } from '../layer/hash.js';

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

export function etagOf(body: string): string {
  return `"${sha256Hex(body).slice(0, 16)}"`;
}

/** Headers that belong to one exchange only. */
export function exchangeHeaders(): Record<string, string> {
  return {
    'set-cookie': `session=${randomBytes(12).toString('hex')}; Path=/; HttpOnly; SameSite=Strict`,
    'x-request-id': randomUUID(),
  };
}
