// A Map that forgets its oldest entries past a size: the demo server's ledger, arrival times and
// created resources live in the process, so an exposed server flooded with unique keys must not
// grow without bound. Insertion order is Map's own, so eviction is O(1).
export const DEFAULT_MAX_RECORDS = 100_000;

export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly maxSize: number = DEFAULT_MAX_RECORDS) {
    super();
    if (!(maxSize >= 1)) throw new RangeError(`maxSize must be at least 1, got ${maxSize}`);
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.maxSize) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}
