// Helpers shared by the demo resources: ids, ETags and the per-exchange headers (Set-Cookie,
// X-Request-Id) a correct layer must never replay.
import { randomFillSync, randomUUID } from 'node:crypto';
import { sha256Hex } from '../../reference/layer/hash.js';

/** Random bytes per id or cookie value (24 hex digits). */
const TOKEN_BYTES = 12;
/**
 * A pool of CSPRNG bytes refilled in one randomFillSync call every POOL_TOKENS tokens: one
 * randomBytes(12) call per token costs several µs here, slicing a pool well under one.
 */
const POOL_TOKENS = 256;
const pool = Buffer.allocUnsafe(TOKEN_BYTES * POOL_TOKENS);
let poolOffset = pool.length;

/** 24 lower-case hex digits from the CSPRNG; every byte is used once. */
function randomToken(): string {
  if (poolOffset + TOKEN_BYTES > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const token = pool.toString('hex', poolOffset, poolOffset + TOKEN_BYTES);
  poolOffset += TOKEN_BYTES;
  return token;
}

export function newId(prefix: string): string {
  return `${prefix}_${randomToken()}`;
}

export function etagOf(body: string): string {
  return `"${sha256Hex(body).slice(0, 16)}"`;
}

/** Headers that belong to one exchange only. */
export function exchangeHeaders(): Record<string, string> {
  return {
    'set-cookie': `session=${randomToken()}; Path=/; HttpOnly; SameSite=Strict`,
    'x-request-id': randomUUID(),
  };
}
