// The fault catalogue: name-keyed and typed. Built-ins register exactly like extensions do.
import { UsageError } from '../core/errors.js';
import { closest } from '../core/suggest.js';
import { dropResponseAfterUpstream } from './drop-response-after-upstream.js';
import { duplicateUpstream } from './duplicate-upstream.js';
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
] as const;

export type BuiltinFaultName = (typeof BUILTIN_FAULTS)[number]['name'];

export interface FaultInfo {
  name: string;
  description: string;
}

const registry = new Map<string, Fault<any>>();

/** Adds a fault to the catalogue; a second, different fault under a taken name is a programming error. */
export function registerFault(fault: Fault<any>): void {
  const existing = registry.get(fault.name);
  if (existing && existing !== fault) throw new Error(`a fault named '${fault.name}' is already registered`);
  registry.set(fault.name, fault);
}

for (const fault of BUILTIN_FAULTS) registerFault(fault);

export function hasFault(name: string): boolean {
  return registry.has(name);
}

/** The registered fault, or a UsageError naming the closest known one. */
export function getFault(name: string): Fault<FaultSpecBase> {
  const fault = registry.get(name);
  if (fault) return fault;
  const known = [...registry.keys()];
  const hint = closest(name, known);
  throw new UsageError(
    `unknown fault '${name}'${hint ? ` (did you mean '${hint}'?)` : ''}`,
    `known faults: ${known.join(', ')}`,
  );
}

/** Name and one-line description of every registered fault, for `idemaudit list faults`. */
export function listFaults(): FaultInfo[] {
  return [...registry.values()].map(({ name, description }) => ({ name, description }));
}
