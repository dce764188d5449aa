// A flaw is a deliberate, named bug the reference layer can be started with, so the audit can be
// shown to catch it from outside. Each one replaces one or two decisions of the correct behaviour.
import type { LayerBehaviour } from '../../reference/layer/behaviour.js';

/** The family of real-world bug a flaw reproduces (GUIDE section 1, "bugs real implementations keep shipping"). */
export type BugClass =
  | 'non-atomic-claim'
  | 'in-flight-handling'
  | 'orphaned-lock'
  | 'tenant-scope'
  | 'payload-check'
  | 'replay-fidelity'
  | 'error-caching'
  | 'retention'
  | 'key-policy'
  | 'fail-open'
  // Several instances or regions of one API that do not share their keys.
  | 'topology'
  | 'downstream-propagation';

export interface Flaw<N extends string = string> {
  readonly name: N;
  /** One line, for `idemaudit list flaws`. */
  readonly description: string;
  readonly bugClass: BugClass;
  /** The level the audit should report under the default profile. */
  readonly level: 'violation' | 'deviation' | 'observation';
  /** Check ids (GUIDE section 2) expected to expose the flaw; empty when it needs a fault the checks cannot cause. */
  readonly caughtBy: readonly string[];
  apply(base: LayerBehaviour, options?: FlawOptions): LayerBehaviour;
}

/** Settings of the flaws that take one (each flaw reads only its own). */
export interface FlawOptions {
  /** `race`: milliseconds between the lookup and the claim; unset, the claim waits for the handler. */
  raceWindowMs?: number;
}

/** Keeps the literal name type, so the registry can derive `FlawName` from its entries. */
export function defineFlaw<N extends string>(flaw: Flaw<N>): Flaw<N> {
  return flaw;
}
