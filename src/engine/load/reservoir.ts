// Bounded uniform samples of an unbounded stream (Vitter's algorithm R), so a run of any length
// keeps at most `capacity` items. The decision is made when an item is OFFERED (before the request
// is even sent), so the hot path only pays for the few requests that end up in the sample.

export class Reservoir<T> {
  readonly #slots: Array<T | undefined> = [];
  #seen = 0;

  constructor(
    readonly capacity: number,
    private readonly uniform: () => number,
  ) {}

  /** Counts one stream item and returns the slot it should fill, or -1 when it is not sampled. */
  claim(): number {
    const n = this.#seen++;
    if (n < this.capacity) return n;
    const j = Math.floor(this.uniform() * (n + 1));
    return j < this.capacity ? j : -1;
  }

  /** Fill a slot returned by claim() (a later claim of the same slot replaces it). */
  fill(slot: number, item: T): void {
    if (slot >= 0 && slot < this.capacity) this.#slots[slot] = item;
  }

  /** claim() + fill() for an item that is ready now. */
  offer(item: T): void {
    this.fill(this.claim(), item);
  }

  get seen(): number {
    return this.#seen;
  }

  items(): T[] {
    return this.#slots.filter((x): x is T => x !== undefined);
  }
}
