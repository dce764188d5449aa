// Idempotency keys drawn from the run's seed, written as the profile wants them on the wire.
import type { Rng } from '../core/rng.js';

export type KeyFormat = 'sf-string' | 'raw';

export class KeyFactory {
  #n = 0;
  constructor(
    private readonly rng: Rng,
    private readonly prefix = 'ia',
  ) {}

  /** A fresh key, unique within the run and reproducible from the seed. */
  next(): string {
    this.#n += 1;
    return `${this.prefix}-${this.rng.hex(10)}-${this.#n}`;
  }
}

/** The header value for a key: an RFC 9651 sf-string ("...", with \ and " escaped) or the bare key. */
export function formatKey(key: string, format: KeyFormat): string {
  return format === 'sf-string' ? `"${key.replace(/[\\"]/g, (c) => `\\${c}`)}"` : key;
}
