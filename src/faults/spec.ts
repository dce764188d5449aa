// Validating fault specs against the fault registry (the schemas are the scenario language's, in
// src/scenario/fault-specs.ts), with every problem worded for people at once.
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { closest } from '../core/suggest.js';
import { getFault } from './registry.js';
import type { Fault, FaultSpecBase } from './types.js';

export { FaultSpecSchema, type FaultSpec, type FaultSpecInput } from '../scenario/fault-specs.js';

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
