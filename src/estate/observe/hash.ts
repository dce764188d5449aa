// Hashes for credentials and bodies: compared, counted, never printed in clear. Credentials get a
// salted SHA-256 (a per-run random salt, so a report leaks nothing that could be matched offline);
// bodies a fast 53-bit non-cryptographic hash, enough to tell payloads apart.
import { createHash, randomBytes } from 'node:crypto';

export function credentialHasher(): (credential: string) => string {
  const salt = randomBytes(16);
  const cache = new Map<string, string>();
  return (credential) => {
    let h = cache.get(credential);
    if (h === undefined) {
      h = createHash('sha256').update(salt).update(credential).digest('base64url').slice(0, 16);
      // Credentials are few; a flood of distinct ones must not grow the cache without bound.
      if (cache.size >= 10_000) cache.clear();
      cache.set(credential, h);
    }
    return h;
  };
}

/** Two 32-bit FNV-1a variants (different offsets) folded into 53 bits: exact in a double, fast. */
export function bodyHash(text: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) >>> 11);
}
