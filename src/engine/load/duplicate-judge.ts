// Pure judgement of a duplicate against its original, both answered 2xx: the same status and
// bytes (a correct replay), or why they differ. No I/O, no state: the engine counts and keeps
// evidence; this only decides.
import { resolvePointer } from '../../core/json-pointer.js';

export type DuplicateVerdict =
  /** Same status and body bytes: the stored response was replayed. */
  | 'match'
  /** Both name a created resource and the ids differ: the duplicate was executed again. */
  | 'identity'
  /** Same resource (or no id to compare) but another status or body, with an identity pointer declared. */
  | 'mismatch'
  /** Different answers and no identity pointer to tell why. */
  | 'unexplained';

export interface JudgedAnswer {
  status: number;
  body: Buffer | undefined;
}

/** The created resource's id in a JSON body, as a string; undefined when absent or unparsable. */
export function identityOf(body: Buffer | undefined, pointer: string | undefined): string | undefined {
  if (pointer === undefined || !body || body.length === 0) return undefined;
  try {
    const v = resolvePointer(JSON.parse(body.toString('utf8')), pointer);
    return v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
  } catch {
    return undefined;
  }
}

const EMPTY = Buffer.alloc(0);

export function judgeDuplicate(original: JudgedAnswer, dup: JudgedAnswer, identity: string | undefined): DuplicateVerdict {
  const a = original.body ?? EMPTY;
  const b = dup.body ?? EMPTY;
  if (original.status === dup.status && a.equals(b)) return 'match';
  const idA = identityOf(a, identity);
  const idB = identityOf(b, identity);
  if (idA !== undefined && idB !== undefined && idA !== idB) return 'identity';
  return identity !== undefined ? 'mismatch' : 'unexplained';
}

/** Of an in-flight pair, which answer won the claim: the unmarked one when exactly one carries a replay marker, else the original. */
export function claimWinner<T extends { marked: boolean }>(original: T, twin: T): { first: T; second: T } {
  return original.marked && !twin.marked ? { first: twin, second: original } : { first: original, second: twin };
}

export const isOk = (f: { error?: unknown; status: number }): boolean => !f.error && f.status >= 200 && f.status < 300;
