// Request bodies of the demo endpoints. `simulate` lets a test ask for a failure after the side
// effect ran (500, 503) or for a worker crash before it ("crash").
import { z } from 'zod';

export const Simulate = z.union([z.literal(500), z.literal(503), z.literal('crash')]);
export type Simulate = z.infer<typeof Simulate>;

export const PaymentInput = z.looseObject({
  amount: z.number().int().positive(),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be a 3-letter currency code'),
  simulate: Simulate.optional(),
});
export type PaymentInput = z.infer<typeof PaymentInput>;

export const RefundInput = z.looseObject({
  payment: z.string().min(1),
  amount: z.number().int().positive(),
  simulate: Simulate.optional(),
});
export type RefundInput = z.infer<typeof RefundInput>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; detail: string };

/** JSON parse plus schema check; the detail names every problem, each with its field. */
export function parseJsonBody<T>(schema: z.ZodType<T>, body: Buffer): Parsed<T> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, detail: 'The body is not valid JSON.' };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  return { ok: false, detail: problems.join('; ') };
}
