// Fault specs: the embeddable union schema, registry-backed validation with messages people can
// act on, and the catalogue listing.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { defineFault, FaultSpecSchema, faultSpecBase, getFault, listFaults, parseFaultSpec, registerFault } from '../../../src/faults/index.js';

const BUILTIN = [
  'latency',
  'drop-response-after-upstream',
  'stall-response',
  'reset-before-upstream',
  'duplicate-upstream',
  'truncate-body',
  'gateway-status',
  'error-after-upstream',
];

describe('FaultSpecSchema', () => {
  it('fills defaults per fault', () => {
    expect(FaultSpecSchema.parse({ name: 'stall-response' })).toEqual({ name: 'stall-response', probability: 1, holdMs: 30_000 });
    expect(FaultSpecSchema.parse({ name: 'gateway-status', probability: 0.2 })).toEqual({ name: 'gateway-status', probability: 0.2, status: 502 });
    expect(FaultSpecSchema.parse({ name: 'duplicate-upstream' })).toMatchObject({ delayMs: 0 });
    expect(FaultSpecSchema.parse({ name: 'latency', ms: 5 })).toMatchObject({ ms: 5, jitterMs: 0 });
  });

  it('rejects unknown names, unknown options, out-of-range values and bad match blocks', () => {
    expect(FaultSpecSchema.safeParse({ name: 'nope' }).success).toBe(false);
    expect(FaultSpecSchema.safeParse({ name: 'reset-before-upstream', holdMs: 1 }).success).toBe(false);
    expect(FaultSpecSchema.safeParse({ name: 'gateway-status', status: 500 }).success).toBe(false);
    expect(FaultSpecSchema.safeParse({ name: 'truncate-body', probability: 1.5 }).success).toBe(false);
    expect(FaultSpecSchema.safeParse({ name: 'truncate-body', match: { path: 'payments' } }).success).toBe(false);
  });

  it('converts to a JSON Schema that names every built-in fault (for the scenario format)', () => {
    const schema = z.toJSONSchema(FaultSpecSchema, { io: 'input', target: 'draft-07' }) as unknown as {
      oneOf: Array<{ properties: { name: { const: string } } }>;
    };
    expect(schema.oneOf.map((o) => o.properties.name.const)).toEqual(BUILTIN);
  });
});

describe('parseFaultSpec', () => {
  function problem(input: unknown): UsageError {
    try {
      parseFaultSpec(input);
    } catch (err) {
      if (err instanceof UsageError) return err;
      throw err;
    }
    throw new Error('expected a UsageError');
  }

  it('suggests the closest fault name and lists the known ones', () => {
    const err = problem({ name: 'gateway-stauts' });
    expect(err.message).toContain("unknown fault 'gateway-stauts' (did you mean 'gateway-status'?)");
    expect(err.hint).toContain('known faults: latency, drop-response-after-upstream');
  });

  it('reports every problem of a spec at once, with option names', () => {
    const err = problem({ name: 'latency', jiterMs: 5, probability: 2 });
    expect(err.message).toContain("unknown option 'jiterMs' for fault latency (did you mean 'jitterMs'?)");
    expect(err.message).toContain('probability: Too big');
    expect(err.message).toContain('ms: expected number');
    expect(err.exitCode).toBe(2);
  });

  it('validates extension faults with their own schema once registered', () => {
    const blackhole = defineFault({
      name: 'test-blackhole',
      description: 'reset every matching connection (test extension)',
      schema: z.strictObject({ name: z.literal('test-blackhole'), ...faultSpecBase, depth: z.number().default(3) }),
      inject: async (ctx) => ctx.reset(),
    });
    registerFault(blackhole);
    expect(parseFaultSpec({ name: 'test-blackhole' })).toEqual({ name: 'test-blackhole', probability: 1, depth: 3 });
    expect(getFault('test-blackhole')).toBe(blackhole);
    expect(() => registerFault({ ...blackhole })).toThrow(/already registered/);
  });
});

describe('listFaults', () => {
  it('lists the built-ins first, each with a one-line description', () => {
    const faults = listFaults();
    expect(faults.slice(0, BUILTIN.length).map((f) => f.name)).toEqual(BUILTIN);
    for (const f of faults) expect(f.description).toMatch(/^[^\n]{10,140}$/);
  });
});
