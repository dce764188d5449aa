// Text generators for the scenario loader fuzzer: anything a user (or a corrupted file) can hand to
// parseScenario. Sizes stay at a few KB, except for the deliberate resource-exhaustion shapes
// (deep nesting, alias bombs), which are small texts with a large effect.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify, type ToStringOptions } from 'yaml';
import { CHECK_OPTIONS } from '../../../src/scenario/check-options/index.js';

const CHECK_IDS = CHECK_OPTIONS.ids();

const scenarioFile = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../scenarios/${name}`, import.meta.url)), 'utf8');

/** The committed scenarios: their mutations keep most of a real file valid, so validation runs deep. */
export const SEED_SCENARIOS = {
  reference: scenarioFile('reference.yaml'),
  staging: scenarioFile('staging-example.yaml'),
};

// --- building blocks -------------------------------------------------------------------------

/** Names an environment variable may have, with the ones that are also Object.prototype members. */
export const envName = fc.oneof(
  fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,6}$/),
  fc.constantFrom('A', 'B', 'HOME', 'STAGING_URL', 'ALICE_TOKEN', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '_', '__'),
);

/** `${...}` and its neighbours: every shape the interpolation grammar has to tell apart. */
export const interpolationFragment = fc.oneof(
  fc.constantFrom(
    '${',
    '$${',
    '$$${',
    '${}',
    '${ }',
    '${1}',
    '${-}',
    '${:-}',
    '${A',
    '${A:',
    '${A:-',
    '${A:-}',
    '${A-x}',
    '${A:x}',
    '}',
    '$',
    '$$',
    '${{',
    '}}',
  ),
  envName.map((n) => `\${${n}}`),
  fc.tuple(envName, fc.string({ maxLength: 8 })).map(([n, d]) => `\${${n}:-${d}}`),
  fc.tuple(envName, envName).map(([a, b]) => `\${${a}:-\${${b}}}`),
  envName.map((n) => `$\${${n}}`),
);

/** Request-time template fragments, known and unknown. */
const templateFragment = fc.oneof(
  fc.constantFrom('{{uuid}}', '{{seq}}', '{{ random }}', '{{key}}', '{{tenant}}', '{{id}}', '{{now}}', '{{}}', '{{', '}}', '{{{{seq}}}}', '{{nope}}'),
  fc.string({ maxLength: 6 }).map((s) => `{{${s}}}`),
);

/** Scalars that stress YAML's and JSON's number handling and YAML's implicit types. */
export const oddScalar = fc.constantFrom(
  '1e400',
  '-1e400',
  '1e-400',
  '123456789012345678901234567890',
  '9007199254740993',
  '-0',
  '0x1F',
  '0xFFFFFFFFFFFFFFFFFFFFFFFF',
  '0o17',
  '0b101',
  '1_000',
  '+12',
  '.inf',
  '-.Inf',
  '.nan',
  '.NaN',
  '~',
  'null',
  'Null',
  'true',
  'yes',
  'on',
  'off',
  'NO',
  '2001-12-14t21:59:43.10-05:00',
  '2002-12-14',
  '12:30:45',
  '0.',
  '.5',
  '1.2.3',
  "''",
  '""',
  '!!binary AAAA',
  '!!str 1',
  '!!int x',
  '!!float y',
  '!!null x',
  '!!bool 3',
  '!!map x',
  '!!seq x',
  '!custom x',
  '!<tag:x> y',
  '!!set {a, b}',
  '!!omap [a: 1]',
  '!!pairs [a: 1, a: 2]',
  '!!timestamp 2001-12-14',
  '!!js/function "f"',
  '!!python/object x',
  '|',
  '>-',
  '|+2',
  '>9',
);

/** Single characters that carry meaning somewhere in YAML, the loader or the templates. */
const yamlChar = fc.constantFrom(
  '-',
  ':',
  ' ',
  ' ',
  '  ',
  '\n',
  '\n',
  '\r\n',
  '\r',
  '\t',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&',
  '*',
  '!',
  '|',
  '>',
  "'",
  '"',
  '%',
  '@',
  '`',
  '#',
  '?',
  '$',
  '\\',
  '<<',
  '---',
  '...',
  'a',
  'x',
  '1',
  '0',
  'version',
  'name',
  'endpoints',
  'checks',
  'target',
  '\0',
  '\u0007',
  '\u001b',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ufffe',
  '\ud800',
  '\udfff',
  '\u{1f600}',
  'é',
  '\u0301',
  '\u202e',
);

/** Random insertions: bytes, code points and YAML syntax, in any mix. */
export const junk = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: yamlChar, maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
  interpolationFragment,
  templateFragment,
  oddScalar,
);

// --- JSON-like values rendered as YAML --------------------------------------------------------

const anyKey = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' ', '<<', '$schema', '0', '-1', 'null') },
  { weight: 1, arbitrary: fc.string({ unit: yamlChar, maxLength: 5 }) },
);

/** String values with the characters and fragments the loader treats specially. */
const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.string({ maxLength: 4 }), interpolationFragment, templateFragment), { maxLength: 4 }).map((p) => p.join('')) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'self',
      'http://127.0.0.1:1',
      'https://x',
      'ftp://x',
      '/a',
      '/a/{{id}}',
      '/id',
      '250ms',
      '24h',
      '7d',
      '1.5s',
      'POST',
      'GET',
      'ietf-07',
      'stripe-v1',
      'mandatory',
      'critical',
      'replay',
      'release',
      'raw',
      'sf-string',
    ),
  },
);

const anyNumber = fc.oneof(
  fc.integer({ min: -5, max: 700 }),
  fc.double(),
  fc.constantFrom(0, -0, 1, 100, 599, 600, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e21, 1e300, Number.MAX_VALUE, Number.MIN_VALUE),
);

const { value: anyValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    anyString,
    anyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(anyKey, tie('value'), { maxKeys: 4 }),
  ),
}));

/** Sometimes the right shape, sometimes anything: keeps the generated files near the schema. */
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: anyValue });

const endpointLike = fc.record(
  {
    name: maybe(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/)),
    method: maybe(fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'post')),
    path: maybe(fc.oneof(fc.constantFrom('/payments', '/refunds', '/a/{{key}}', '/p/{{id}}', 'no-slash', '/${A}'), anyString)),
    headers: maybe(fc.dictionary(anyKey, maybe(anyString), { maxKeys: 3 })),
    body: anyValue,
    identity: maybe(fc.constantFrom('/id', '', '/a~2', '/data/0/id', 'id')),
    probe: maybe(
      fc.record(
        {
          method: maybe(fc.constantFrom('GET', 'POST', 'PUT')),
          path: maybe(fc.constantFrom('/p/{{id}}', '/p/{{key}}', 'x')),
          count: maybe(fc.constantFrom('/data', '/n', 'n')),
          tenant: maybe(fc.constantFrom('alice', 'bob', 'nobody')),
        },
        { requiredKeys: [] },
      ),
    ),
    keyRequired: maybe(fc.constantFrom('mandatory', 'expected', 'optional', 'always')),
    risk: maybe(fc.constantFrom('critical', 'high', 'medium', 'low', 'huge')),
    policy: maybe(
      fc.record(
        {
          retention: maybe(fc.oneof(anyNumber, fc.constantFrom('24h', '1.5s', '7d', 'forever'))),
          testRetention: anyValue,
          errors: maybe(
            fc.record(
              { '4xx': maybe(fc.constantFrom('replay', 'release', 'any', 'x')), '5xx': maybe(fc.constantFrom('replay', 'release', 'any')) },
              { requiredKeys: [] },
            ),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

const checkIdLike = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...CHECK_IDS) },
  { weight: 1, arbitrary: fc.constantFrom('concurent-duplicates', 'replay', 'constructor', '__proto__', '') },
);

/** A value shaped roughly like a scenario: most fields of the right kind, some replaced by anything. */
export const scenarioLike = fc.record(
  {
    $schema: maybe(fc.constant('./scenario.schema.json')),
    version: maybe(fc.constantFrom(1, 2, '1', 1.0)),
    name: maybe(fc.stringMatching(/^[a-z][a-z0-9._-]{0,10}$/)),
    description: anyValue,
    target: maybe(
      fc.constantFrom(
        'self',
        'http://127.0.0.1:8080',
        'https://staging.example.com/v1',
        '${STAGING_URL:-https://x.example}',
        '${STAGING_URL}',
        'ftp://x',
        'not a url',
      ),
    ),
    profile: maybe(fc.constantFrom('ietf-07', 'stripe-v1', 'custom', 'nope')),
    profiles: maybe(
      fc.dictionary(
        fc.constantFrom('custom', 'bad name', 'x'),
        maybe(
          fc.record(
            {
              extends: maybe(fc.constantFrom('ietf-07', 'stripe-v1')),
              keyFormat: maybe(fc.constantFrom('raw', 'sf-string')),
              expect: maybe(fc.record({ mismatch: maybe(fc.array(anyNumber, { maxLength: 3 })) }, { requiredKeys: [] })),
              retention: anyValue,
            },
            { requiredKeys: [] },
          ),
        ),
        { maxKeys: 2 },
      ),
    ),
    defaults: maybe(
      fc.record(
        {
          headers: maybe(fc.dictionary(anyKey, maybe(anyString), { maxKeys: 3 })),
          keyHeader: maybe(fc.constantFrom('Idempotency-Key', '', 'X-Key')),
          keyFormat: maybe(fc.constantFrom('raw', 'sf-string', 'bare')),
          timeoutMs: maybe(anyNumber),
        },
        { requiredKeys: [] },
      ),
    ),
    tenants: maybe(
      fc.dictionary(
        fc.constantFrom('alice', 'bob', 'bad name', 'constructor'),
        maybe(fc.record({ headers: maybe(fc.dictionary(anyKey, maybe(anyString), { maxKeys: 2 })) }, { requiredKeys: [] })),
        { maxKeys: 3 },
      ),
    ),
    ledger: anyValue,
    redact: maybe(fc.array(maybe(anyString), { maxLength: 3 })),
    endpoints: maybe(fc.array(maybe(endpointLike), { maxLength: 3 })),
    checks: maybe(
      fc.dictionary(
        checkIdLike,
        fc.oneof(
          fc.constant(null),
          fc.dictionary(fc.constantFrom('copies', 'rounds', 'method', 'waitMs', 'body4xx', 'body5xx', 'x'), anyValue, { maxKeys: 2 }),
          anyValue,
        ),
        { maxKeys: 4 },
      ),
    ),
    extra: anyValue,
  },
  { requiredKeys: [] },
);

const yamlOptions: fc.Arbitrary<ToStringOptions> = fc.record(
  {
    indent: fc.integer({ min: 1, max: 6 }),
    lineWidth: fc.constantFrom(0, 20, 80),
    collectionStyle: fc.constantFrom('any', 'block', 'flow'),
    defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
    defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE'),
    indentSeq: fc.boolean(),
    simpleKeys: fc.boolean(),
  },
  { requiredKeys: [] },
);

/** True when `node` is `target` or holds it somewhere below (cycle-safe). */
function reaches(node: unknown, target: object, seen = new Set<object>()): boolean {
  if (node === null || typeof node !== 'object' || seen.has(node)) return false;
  if (node === target) return true;
  seen.add(node);
  return Object.values(node).some((child) => reaches(child, target, seen));
}

/** A copy of `value` in which some subtrees are reused, so the stringifier emits anchors and aliases. */
function shareSubtrees(value: unknown, picks: number[]): unknown {
  if (picks.length < 2) return value;
  const copy = structuredClone(value);
  const containers: object[] = [];
  const walk = (v: unknown): void => {
    if (v !== null && typeof v === 'object') {
      containers.push(v);
      for (const child of Object.values(v)) walk(child);
    }
  };
  walk(copy);
  if (containers.length < 2) return copy;
  for (let i = 0; i + 1 < picks.length; i += 2) {
    const target = containers[picks[i]! % containers.length]!;
    const shared = containers[picks[i + 1]! % containers.length]!;
    // No cycles: the shared subtree must not contain the node it is added to.
    if (Array.isArray(target) || reaches(shared, target)) continue;
    (target as Record<string, unknown>)[`alias${i}`] = shared;
  }
  return copy;
}

function render(value: unknown, options: ToStringOptions): string {
  try {
    return stringify(value, options);
  } catch {
    // Some option mixes are refused by the stringifier (or a shared subtree formed a cycle): plain YAML then.
    try {
      return stringify(value);
    } catch {
      return JSON.stringify(value) ?? '';
    }
  }
}

/** Arbitrary YAML documents: generated values, rendered with random styles, sometimes with anchors. */
export const yamlDocument = fc
  .tuple(fc.oneof(scenarioLike, anyValue), yamlOptions, fc.array(fc.nat(), { maxLength: 6 }))
  .map(([value, options, picks]) => render(shareSubtrees(value, picks), options));

// --- mutations of the committed scenarios -----------------------------------------------------

type Mutation = (lines: string[]) => string[];

const at = (lines: string[], n: number): number => (lines.length === 0 ? 0 : n % lines.length);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map(
    (n): Mutation =>
      (lines) =>
        lines.filter((_, i) => i !== at(lines, n)),
  ),
  fc.nat().map(
    (n): Mutation =>
      (lines) =>
        lines.flatMap((l, i) => (i === at(lines, n) ? [l, l] : [l])),
  ),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Mutation => (lines) => {
    // Nothing to swap in an empty text (an earlier truncation may leave none): swapping index 0 with
    // itself there would add an `undefined` line, which the next mutation trips over.
    if (lines.length < 2) return lines;
    const out = [...lines];
    const i = at(out, a);
    const j = at(out, b);
    [out[i], out[j]] = [out[j]!, out[i]!];
    return out;
  }),
  fc.array(fc.nat(), { minLength: 1, maxLength: 100 }).map(
    (order): Mutation =>
      (lines) =>
        lines
          .map((l, i) => [order[i % order.length]! + i / 1000, l] as const)
          .sort((x, y) => x[0] - y[0])
          .map(([, l]) => l),
  ),
  fc.tuple(fc.nat(), fc.nat(), junk).map(
    ([n, col, text]): Mutation =>
      (lines) =>
        lines.map((l, i) => (i === at(lines, n) ? l.slice(0, col % (l.length + 1)) + text + l.slice(col % (l.length + 1)) : l)),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: -4, max: 4 })).map(
    ([n, delta]): Mutation =>
      (lines) =>
        lines.map((l, i) => (i === at(lines, n) ? (delta >= 0 ? ' '.repeat(delta) + l : l.replace(new RegExp(`^ {0,${-delta}}`), '')) : l)),
  ),
  fc.tuple(fc.nat(), fc.oneof(interpolationFragment, oddScalar, templateFragment)).map(
    ([n, value]): Mutation =>
      (lines) =>
        lines.map((l, i) => (i === at(lines, n) && l.includes(':') ? `${l.slice(0, l.indexOf(':') + 1)} ${value}` : l)),
  ),
  fc.tuple(fc.nat(), fc.nat(), fc.stringMatching(/^[a-z]{1,3}$/)).map(
    ([a, b, name]): Mutation =>
      (lines) =>
        lines.map((l, i) => {
          if (!l.includes(':')) return l;
          const colon = l.indexOf(':') + 1;
          if (i === at(lines, a)) return `${l.slice(0, colon)} &${name}${l.slice(colon)}`;
          if (i === at(lines, b)) return `${l.slice(0, colon)} *${name}`;
          return l;
        }),
  ),
  fc.tuple(fc.nat(), fc.stringMatching(/^[a-z]{1,3}$/)).map(
    ([n, name]): Mutation =>
      (lines) =>
        lines.flatMap((l, i) => (i === at(lines, n) ? [l, `${/^\s*/.exec(l)![0]}<<: *${name}`] : [l])),
  ),
  fc.nat().map(
    (n): Mutation =>
      (lines) =>
        lines.slice(0, at(lines, n)),
  ),
  fc.constant<Mutation>((lines) => [...lines, '---', ...lines]),
);

/** A committed scenario with one to five line-level mutations; `text` joins with \n or \r\n. */
export const mutatedScenario = fc
  .tuple(
    fc.constantFrom(SEED_SCENARIOS.reference, SEED_SCENARIOS.staging),
    fc.array(mutation, { minLength: 1, maxLength: 5 }),
    fc.constantFrom('\n', '\r\n', '\r'),
  )
  .map(([text, mutations, eol]) => mutations.reduce((lines, m) => m(lines), text.split('\n')).join(eol));

/** Random bytes dropped anywhere into a committed scenario (not only at line boundaries). */
export const corruptedScenario = fc
  .tuple(fc.constantFrom(SEED_SCENARIOS.reference, SEED_SCENARIOS.staging), fc.array(fc.tuple(fc.nat(), junk), { minLength: 1, maxLength: 6 }))
  .map(([text, inserts]) => inserts.reduce((t, [pos, piece]) => t.slice(0, pos % (t.length + 1)) + piece + t.slice(pos % (t.length + 1)), text));

// --- resource exhaustion ---------------------------------------------------------------------

const NESTING_SHAPES = {
  flowSeq: (d: number, closed: boolean) => '['.repeat(d) + (closed ? ']'.repeat(d) : ''),
  flowMap: (d: number, closed: boolean) => '{a: '.repeat(d) + 'x' + (closed ? '}'.repeat(d) : ''),
  compactSeq: (d: number) => '- '.repeat(d) + 'x',
  blockSeq: (d: number) => Array.from({ length: d }, (_, i) => `${' '.repeat(i)}- `).join('\n') + 'x',
  blockMap: (d: number) => Array.from({ length: d }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' x',
  mixed: (d: number, closed: boolean) => '- {a: ['.repeat(d) + (closed ? ']}'.repeat(d) : ''),
} as const;

/** Nesting from harmless to stack-exhausting, alone or as the body of an otherwise valid scenario. */
export const deeplyNested = fc
  .tuple(
    fc.constantFrom(...(Object.keys(NESTING_SHAPES) as (keyof typeof NESTING_SHAPES)[])),
    fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 60, max: 400 }), fc.integer({ min: 400, max: 1500 })),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([shape, depth, closed, embedded]) => {
    // Indented block shapes grow with the square of their depth: 300 levels are already 45 KB.
    const nested = NESTING_SHAPES[shape](shape === 'blockSeq' || shape === 'blockMap' ? Math.min(depth, 300) : depth, closed);
    if (!embedded) return nested;
    // As an endpoint body: flow shapes fit inline; block shapes are indented under `body:`.
    const body =
      nested.includes('\n') || shape === 'compactSeq'
        ? `\n${nested
            .split('\n')
            .map((l) => `      ${l}`)
            .join('\n')}`
        : ` ${nested}`;
    return `version: 1\nname: deep\ntarget: self\nendpoints:\n  - name: a\n    path: /a\n    body:${body}\n`;
  });

/** Billion-laughs style documents: `width` aliases per level, `depth` levels. */
export const aliasBomb = fc
  .tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), fc.constantFrom('seq', 'map', 'string'), fc.boolean())
  .map(([width, depth, kind, asBody]) => {
    const leaf = kind === 'string' ? `"${'lol'.repeat(200)}"` : '[lol, lol]';
    const levels = [`l0: &l0 ${leaf}`];
    for (let d = 1; d <= depth; d++) {
      const refs = Array.from({ length: width }, (_, i) => (kind === 'map' ? `k${i}: *l${d - 1}` : `*l${d - 1}`));
      levels.push(kind === 'map' ? `l${d}: &l${d} {${refs.join(', ')}}` : `l${d}: &l${d} [${refs.join(', ')}]`);
    }
    const defs = levels.map((l) => `      ${l}`).join('\n');
    return asBody ? `version: 1\nname: bomb\ntarget: self\nendpoints:\n  - name: a\n    path: /a\n    body:\n${defs}\n` : levels.join('\n');
  });

/** Everything above, for the "never another exception" property. */
export const anyScenarioText = fc.oneof(
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 2, arbitrary: fc.string({ unit: yamlChar, maxLength: 200 }) },
  { weight: 4, arbitrary: yamlDocument },
  { weight: 5, arbitrary: mutatedScenario },
  { weight: 3, arbitrary: corruptedScenario },
  { weight: 1, arbitrary: deeplyNested },
  { weight: 1, arbitrary: aliasBomb },
);

/** Environments: plain records (some own members named like Object.prototype's), values with `${`. */
export const envArb = fc.dictionary(
  envName,
  fc.oneof(fc.string({ maxLength: 10 }), interpolationFragment, fc.constant(''), fc.constantFrom('https://staging.example.com', 'http://127.0.0.1:1')),
  { maxKeys: 5 },
);
