// Small planning helpers the chaos checks share: which declared faults belong to which check, how a
// fault is described in progress and reports, and the timing measurements the checks adapt to.
import type { CheckContext } from '../api.js';
import type { FaultSpec, FaultSpecBase } from '../../faults/index.js';
import type { Endpoint } from '../../scenario/schema.js';
import { sendAttempt, type PathAttempt, type Route } from './path.js';
import type { ChaosPort } from './port.js';

export { FAULT_KINDS } from '../../scenario/check-options/fault-kinds.js';

/** The endpoint's declared faults of the given kinds, in declaration order. */
export function declaredFaults(endpoint: Endpoint, kinds: readonly string[]): FaultSpec[] {
  return (endpoint.faults ?? []).filter((f) => kinds.includes(f.name));
}

const BASE_KEYS = new Set(['name', 'probability', 'match']);

/** "stall-response holdMs=5000", "latency ms=20 jitterMs=0 p=0.5". */
export function describeFault(spec: FaultSpecBase): string {
  const options = Object.entries(spec as unknown as Record<string, unknown>)
    .filter(([k]) => !BASE_KEYS.has(k))
    .map(([k, v]) => `${k}=${String(v)}`);
  if (spec.probability < 1) options.push(`p=${spec.probability}`);
  return [spec.name, ...options].join(' ');
}

export { notSent } from './outcome.js';

export interface Calibration {
  /** How long the fresh request took, in ms. */
  ms: number;
  attempt: PathAttempt;
}

/**
 * How long a fresh execution takes along `route`: one request with a key of its own, so the
 * checks can time out or disconnect mid-processing without guessing the server's speed.
 */
export async function calibrate(ctx: CheckContext<unknown>, chaos: ChaosPort, route: Route, process: string): Promise<Calibration> {
  const key = ctx.keys.next();
  const body = ctx.requests.renderBody(ctx.endpoint, { key });
  const attempt = await sendAttempt(ctx, chaos, { process, key, body, role: 'calibrate' }, 1, route);
  return { ms: attempt.exchange.durationMs, attempt };
}

/**
 * A client timeout that falls inside the upstream's processing: past the proxy's fixed delay
 * (`beforeUpstreamMs`) and half way through the rest of a fresh request's time.
 */
export function midFlightTimeout(freshMs: number, beforeUpstreamMs = 0): number {
  const processing = Math.max(0, freshMs - beforeUpstreamMs);
  return Math.max(1, Math.round(beforeUpstreamMs + processing / 2));
}
