// Fuzzes `${VAR}` interpolation against a model: a template is built from literal text, `$${`
// escapes and references (with and without defaults), so the expected result is known exactly.
// Names include Object.prototype members: only the environment's own string values may be used.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpolate, type Env } from '../../src/scenario/interpolate.js';
import { envName } from './arbitraries/scenario-text.js';
import { fuzzParams, fuzzTimeout } from './config.js';

type Part = { kind: 'text'; text: string } | { kind: 'escape' } | { kind: 'ref'; name: string; fallback?: string };

// Literals without `$` (a `$` before a reference would turn it into the `$${` escape) and defaults
// without `$` or `}`: the model stays simple and the grammar still gets every neighbouring character.
const literal = fc.string({
  unit: fc.oneof(
    fc.constantFrom('{', '}', ':', '-', ' ', '\n', '{{', '}}'),
    fc.string({ minLength: 1, maxLength: 1 }).filter((c) => c !== '$'),
  ),
  maxLength: 6,
});
const fallback = fc.string({
  unit: fc.oneof(
    fc.constantFrom('{', ':', '-', ' ', ''),
    fc.string({ minLength: 1, maxLength: 1 }).filter((c) => c !== '$' && c !== '}'),
  ),
  maxLength: 5,
});

const part: fc.Arbitrary<Part> = fc.oneof(
  literal.map((text) => ({ kind: 'text' as const, text })),
  fc.constant({ kind: 'escape' as const }),
  envName.map((name) => ({ kind: 'ref' as const, name })),
  fc.tuple(envName, fallback).map(([name, f]) => ({ kind: 'ref' as const, name, fallback: f })),
);

const source = (parts: Part[]): string =>
  parts
    .map((p) => (p.kind === 'text' ? p.text : p.kind === 'escape' ? '$${' : p.fallback === undefined ? `\${${p.name}}` : `\${${p.name}:-${p.fallback}}`))
    .join('');

function expected(parts: Part[], env: Env): ReturnType<typeof interpolate> {
  const missing: string[] = [];
  let value = '';
  for (const p of parts) {
    if (p.kind === 'text') value += p.text;
    else if (p.kind === 'escape') value += '${';
    else {
      const own = Object.hasOwn(env, p.name) && typeof env[p.name] === 'string' ? env[p.name] : undefined;
      if (p.fallback !== undefined) value += own ? own : p.fallback;
      else if (own !== undefined) value += own;
      else if (!missing.includes(p.name)) missing.push(p.name);
    }
  }
  return missing.length > 0 ? { missing } : { value };
}

/** Plain objects (they inherit Object.prototype, like process.env) and null-prototype ones. */
const env = fc
  .tuple(fc.array(fc.tuple(envName, fc.oneof(fc.string({ maxLength: 6 }), fc.constant(''), fc.constant('${X}'))), { maxLength: 5 }), fc.boolean())
  .map(([entries, bare]) => {
    const out: Record<string, string> = bare ? Object.create(null) : {};
    for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  });

describe('fuzz: ${VAR} interpolation', () => {
  it(
    'matches the model for any mix of text, escapes and references',
    () => {
      fc.assert(
        fc.property(fc.array(part, { maxLength: 8 }), env, (parts, e) => {
          expect(interpolate(source(parts), e)).toEqual(expected(parts, e));
        }),
        fuzzParams(500),
      );
    },
    fuzzTimeout(500, 5),
  );

  it(
    'never reads inherited members of process.env',
    () => {
      fc.assert(
        fc.property(fc.array(part, { maxLength: 6 }), (parts) => {
          expect(interpolate(source(parts), process.env)).toEqual(expected(parts, process.env));
        }),
        fuzzParams(200),
      );
    },
    fuzzTimeout(200, 5),
  );
});
