// The fault catalogue: name-keyed and typed. Built-ins register exactly like extensions do.
import { Registry } from '../core/registry.js';
import { dropResponseAfterUpstream } from './drop-response-after-upstream.js';
import { duplicateUpstream } from './duplicate-upstream.js';
import { errorAfterUpstream } from './error-after-upstream.js';
import { gatewayStatus } from './gateway-status.js';
import { latency } from './latency.js';
import { resetBeforeUpstream } from './reset-before-upstream.js';
import { stallResponse } from './stall-response.js';
import { truncateBody } from './truncate-body.js';
import type { Fault, FaultSpecBase } from './types.js';

export const BUILTIN_FAULTS = [
  latency,
  dropResponseAfterUpstream,
  stallResponse,
  resetBeforeUpstream,
  duplicateUpstream,
  truncateBody,
  gatewayStatus,
  errorAfterUpstream,
] as const;

export type BuiltinFaultName = (typeof BUILTIN_FAULTS)[number]['name'];

export interface FaultInfo {
  name: string;
  description: string;
}

const registry = new Registry<Fault<FaultSpecBase>>('fault', (f) => f.name);

/** Adds a fault to the catalogue; a taken name is an error (DuplicateIdError). */
export function registerFault<S extends FaultSpecBase>(fault: Fault<S>): void {
  registry.register(fault);
}

// Each built-in has its own spec type; the catalogue holds them by the shared base.
for (const fault of BUILTIN_FAULTS as readonly unknown[] as readonly Fault<FaultSpecBase>[]) registerFault(fault);

export function hasFault(name: string): boolean {
  return registry.has(name);
}

/** The registered fault, or an UnknownIdError (a usage error) naming the closest known one. */
export function getFault(name: string): Fault<FaultSpecBase> {
  return registry.get(name);
}

/** Name and one-line description of every registered fault, for `idemaudit list faults`. */
export function listFaults(): FaultInfo[] {
  return registry.values().map(({ name, description }) => ({ name, description }));
}
