// The traffic mix of a load run: each request slot is a fresh key, a replay (a key whose original
// already completed, as a client retry after a lost response would be), or an in-flight duplicate
// (sent immediately after its original, without waiting for it: the case that exposes non-atomic
// claims). Deterministic for a seed, O(1) memory.
//
// The mix is a small Markov chain: after a fresh slot the next one is its in-flight twin with
// probability a; otherwise a slot is a replay with probability b, else fresh. With the declared
// duplicate ratio d and in-flight share f, its stationary fractions are exactly
//   fresh = 1 - d,  in-flight = d * f,  replay = d * (1 - f)
// for a = d f / (1 - d) and b = d (1 - f) / (1 - d f), which needs d f <= 1 - d (every in-flight
// duplicate needs an original of its own).

export type SlotKind = 'fresh' | 'replay' | 'inflight';

import { mixProblem, type MixRatios } from '../../scenario/check-options/load.js';

export { mixProblem, type MixRatios };

export function transitionProbabilities({ duplicates: d, inFlight: f }: MixRatios): { twin: number; replay: number } {
  if (d <= 0) return { twin: 0, replay: 0 };
  return { twin: Math.min(1, (d * f) / (1 - d)), replay: (d * (1 - f)) / (1 - d * f) };
}

/** Seeded uniform source; the engine passes the run's rng, tests pass a scripted one. */
export type Uniform = () => number;

export class TrafficMix {
  readonly #twin: number;
  readonly #replay: number;
  #previous: SlotKind = 'replay';
  #peeked: SlotKind | undefined;

  constructor(
    ratios: MixRatios,
    private readonly uniform: Uniform,
  ) {
    const problem = mixProblem(ratios);
    if (problem) throw new RangeError(problem);
    ({ twin: this.#twin, replay: this.#replay } = transitionProbabilities(ratios));
  }

  #draw(): SlotKind {
    if (this.#previous === 'fresh' && this.#twin > 0 && this.uniform() < this.#twin) return 'inflight';
    if (this.#replay > 0 && this.uniform() < this.#replay) return 'replay';
    return 'fresh';
  }

  /** The kind of the next slot. */
  next(): SlotKind {
    const kind = this.#peeked ?? this.#draw();
    this.#peeked = undefined;
    this.#previous = kind;
    return kind;
  }

  /** The kind the next call to next() will return, without consuming it. */
  peek(): SlotKind {
    this.#peeked ??= this.#draw();
    return this.#peeked;
  }

  /** Tell the mix that the slot just drawn was sent as another kind (a replay with nothing to replay goes out fresh). */
  correct(kind: SlotKind): void {
    // A peeked draw depended on the previous kind; redraw it against the correction.
    if (this.#previous !== kind) this.#peeked = undefined;
    this.#previous = kind;
  }
}
