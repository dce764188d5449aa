// Pure helpers over recorded calls at a dependency: how many side effects they amount to, and how
// they read in a finding. A dependency that dedupes by key performs one effect per distinct key; a
// call without a key is an effect of its own. So per logical request: effects = distinct keys +
// keyless calls, and more than one is a second charge.
import type { RecordedCall } from '../../downstream/index.js';
import type { CheckContext, Finding } from '../api.js';
import type { DownstreamBinding } from './port.js';
import { Redactor } from '../../report/redact.js';

export interface Effects {
  calls: number;
  keys: string[];
  keyless: number;
  effects: number;
}

export function effectsOf(calls: readonly RecordedCall[]): Effects {
  const keys = [...new Set(calls.map((c) => c.key).filter((k): k is string => k !== null))];
  const keyless = calls.filter((c) => c.key === null).length;
  return { calls: calls.length, keys, keyless, effects: keys.length + keyless };
}

const PATHS = new Redactor();

/** The facts a report keeps of a call (no header values besides the key and correlation id). */
export function callFact(c: RecordedCall): Record<string, unknown> {
  return {
    seq: c.seq,
    method: c.method,
    // The app's own credential to its dependency may ride in the query (`?api_key=`).
    path: PATHS.url(c.path),
    key: c.key,
    correlationId: c.correlationId,
    answer: c.answer,
    arrivedAt: new Date(c.arrivedAt).toISOString(),
    bodySha256: c.bodySha256,
  };
}

/** "2 calls: key k1 (201), key k2 (201)". */
export function describeCalls(calls: readonly RecordedCall[]): string {
  if (calls.length === 0) return 'no call';
  const each = calls.map((c) => `${c.key === null ? 'no key' : `key ${c.key}`} (${c.answer})`);
  return `${calls.length} call${calls.length === 1 ? '' : 's'}: ${each.join(', ')}`;
}

/** The dependency's name, with its recorder's URL, for messages. */
export function named(b: DownstreamBinding): string {
  return `${b.name} (${b.url})`;
}

/** Why a downstream check does not apply to an endpoint, or true. */
export function downstreamApplies(ctx: Pick<CheckContext<unknown>, 'downstream' | 'endpoint'>): true | string {
  if (!ctx.downstream) return 'no downstream: is declared in the scenario, so there is no dependency to record calls at';
  if (ctx.downstream.forEndpoint(ctx.endpoint.name).length === 0) return `no downstream: dependency lists the endpoint ${ctx.endpoint.name}`;
  return true;
}

/** Calls at each dependency while `act` runs (a cursor before, a settle after). */
export async function recording<T>(bindings: readonly DownstreamBinding[], act: () => Promise<T>): Promise<{ value: T; calls: Map<string, RecordedCall[]> }> {
  const cursors = new Map(bindings.map((b) => [b.name, b.recorder.cursor()]));
  const value = await act();
  const calls = new Map<string, RecordedCall[]>();
  for (const b of bindings) {
    await b.recorder.settle();
    calls.set(b.name, b.recorder.calls(cursors.get(b.name)));
  }
  return { value, calls };
}

/**
 * A failed finding whose root cause another check owns (calls without any key: downstream-propagation;
 * keys that change per attempt: downstream-dedupe) becomes inconclusive, naming the owner. The audit
 * turns it back into a failure when the owner did not fail on the endpoint in the same run.
 */
export function ownedBy(f: Finding, owner: string, why: string): Finding {
  return {
    ...f,
    verdict: 'inconclusive',
    message: `not judged (root cause owned by ${owner}): ${why}; this check saw: ${f.message}`,
    facts: { ...f.facts, inconclusive: { owner } },
  };
}
