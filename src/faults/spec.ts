// Fault specs: one zod schema per fault, joined on `name` into FaultSpecSchema so the scenario
// format can embed it (endpoint `faults:`) and its JSON Schema lists every fault and option.
// parseFaultSpec validates through the registry instead, so registered extensions work too.
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { closest } from '../scenario/suggest.js';
import { DropResponseSpecSchema } from './drop-response-after-upstream.js';
import { DuplicateUpstreamSpecSchema } from './duplicate-upstream.js';
import { GatewayStatusSpecSchema } from './gateway-status.js';
import { LatencySpecSchema } from './latency.js';
import { getFault } from './registry.js';
import { ResetBeforeUpstreamSpecSchema } from './reset-before-upstream.js';
import { StallResponseSpecSchema } from './stall-response.js';
import { TruncateBodySpecSchema } from './truncate-body.js';
import type { Fault, FaultSpecBase } from './types.js';

export const FaultSpecSchema = z
  .discriminatedUnion('name', [
    LatencySpecSchema,
    DropResponseSpecSchema,
    StallResponseSpecSchema,
    ResetBeforeUpstreamSpecSchema,
    DuplicateUpstreamSpecSchema,
    TruncateBodySpecSchema,
    GatewayStatusSpecSchema,
  ])
  .describe('A fault the proxy injects into matching requests, chosen by name');

/** A validated built-in spec, defaults filled in. */
export type FaultSpec = z.output<typeof FaultSpecSchema>;
/** What people write: defaults may be left out. */
export type FaultSpecInput = z.input<typeof FaultSpecSchema>;
/** A spec for a registered extension fault, checked at run time by that fault's own schema. */
export type ExtensionFaultSpecInput = { name: string; probability?: number; [option: string]: unknown };

/** Option names a fault accepts besides `name` (strict object schemas expose their shape). */
export function optionNames(fault: Fault<FaultSpecBase>): string[] {
  const shape = (fault.schema as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape).filter((k) => k !== 'name') : [];
}

function describeIssue(issue: z.core.$ZodIssue, fault: Fault<FaultSpecBase>): string[] {
  if (issue.code === 'unrecognized_keys') {
    const allowed = optionNames(fault);
    return issue.keys.map((key) => {
      const hint = closest(key, allowed);
      return `unknown option '${key}' for fault ${fault.name}${hint ? ` (did you mean '${hint}'?)` : ''}; options: ${allowed.join(', ')}`;
    });
  }
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return [`${where}${issue.message.replace(/^Invalid (input|option): /, '')}`];
}

/**
 * Validates one spec against its registered fault, filling defaults. Throws a UsageError that
 * lists every problem at once; `label` names the spec in the message (e.g. the --fault text).
 */
export function parseFaultSpec(input: unknown, label?: string): FaultSpecBase {
  const name = (input as { name?: unknown } | null)?.name;
  if (typeof name !== 'string') throw new UsageError(`${label ? `${label}: ` : ''}a fault spec needs a name`);
  let fault: Fault<FaultSpecBase>;
  try {
    fault = getFault(name);
  } catch (err) {
    if (err instanceof UsageError && label) throw new UsageError(`${label}: ${err.message}`, err.hint);
    throw err;
  }
  const parsed = fault.schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.flatMap((issue) => describeIssue(issue, fault));
  throw new UsageError(`${label ?? `fault ${name}`}: ${problems.join('; ')}`, `options of ${name}: ${optionNames(fault).join(', ')}`);
}
