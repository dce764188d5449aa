// A fixed-capacity buffer of the newest items, each numbered by arrival (seq, from 1), so a reader
// can ask for "everything after seq N" without the writer keeping history: a recorder that runs for
// hours keeps the newest `capacity` calls and counts the ones it forgot.
export class Ring<T extends { seq: number }> {
  readonly #items: Array<T | undefined>;
  #next = 0;
  #size = 0;
  #dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    if (this.#size === this.capacity) this.#dropped += 1;
    else this.#size += 1;
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** Oldest first; only items with seq > after. */
  since(after = 0): T[] {
    const out: T[] = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let i = 0; i < this.#size; i++) {
      const item = this.#items[(start + i) % this.capacity]!;
      if (item.seq > after) out.push(item);
    }
    return out;
  }

  get size(): number {
    return this.#size;
  }

  /** Items pushed out by newer ones. */
  get dropped(): number {
    return this.#dropped;
  }
}
