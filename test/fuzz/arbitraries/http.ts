// Request generators for the reference-server fuzzer. Every header value is one undici can send
// (tab, printable ASCII and 0x80-0xff); a header may be sent on several lines. Each run draws a few
// logical keys and tenants and reuses them, often written differently, so collisions get a chance.
import fc from 'fast-check';
import type { KeySyntax } from '../../../src/reference/layer/types.js';

/** One header line, as sent: undici keeps the order of a flat [name, value, ...] array. */
export type HeaderLine = [name: string, value: string];

export interface FuzzRequest {
  method: string;
  path: string;
  /** The Idempotency-Key lines (none: the header is absent), sent under `keyName`. */
  keyLines: string[];
  keyName: string;
  /** The Authorization lines (none: absent), sent under `authName`. */
  authLines: string[];
  authName: string;
  /** Unrelated headers. */
  extra: HeaderLine[];
  body: Buffer | undefined;
  /** Header blocks in this order: 0 extra, 1 auth, 2 key. */
  order: [number, number, number];
}

export interface FuzzRun {
  keySyntax: KeySyntax;
  requests: FuzzRequest[];
}

// --- characters and values ------------------------------------------------------------------------

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const latin1High = fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c));
/** Characters with a meaning somewhere on the path: sf-string syntax, store-key separators, globs, Redis hash tags. */
const separator = fc.constantFrom('"', '\\', ':', '*', '{', '}', '%', ',', ';', '=', ' ', '?', '[', ']', '/', '%3A', '\\"', '\\\\', '{}', '}{');
/** What undici accepts in a header value. */
const headerChar = fc.oneof(
  { weight: 6, arbitrary: printable },
  { weight: 2, arbitrary: separator },
  { weight: 1, arbitrary: latin1High },
  { weight: 1, arbitrary: fc.constant('\t') },
);
/** Optional whitespace around a field value (trimmed by HTTP). */
const ows = fc.constantFrom('', '', '', ' ', '\t', '  ', ' \t');

/** Logical keys: what the server should see once the header is unquoted. */
const logicalKey = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.oneof(printable, separator), minLength: 1, maxLength: 20 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'a',
      'A',
      'a:b',
      'a:',
      ':a',
      '*',
      '{a}',
      '}',
      '{',
      'a"b',
      'a\\b',
      '"',
      '\\',
      ' a',
      'a ',
      'anonymous',
      'anonymous:a',
      '%61',
      'k1',
      'k10',
      ',',
      'a, b',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 250, max: 300 }).chain((n) => fc.string({ unit: printable, minLength: n, maxLength: n })) },
  { weight: 1, arbitrary: fc.string({ unit: fc.oneof(printable, latin1High, fc.constant('\t')), minLength: 1, maxLength: 12 }) },
);

const sfQuote = (key: string): string => `"${key.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** One way of writing `key` in the header, correct or not: the model decides what it means. */
function spellings(key: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(ows, ows).map(([a, b]) => `${a}${sfQuote(key)}${b}`) },
    { weight: 2, arbitrary: fc.tuple(ows, ows).map(([a, b]) => `${a}${key}${b}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(`"${key}"`, `"${key}`, `${key}"`, `"${key}";p=1`, `"${key}" x`, `"${key}\\"`, `"\\${key}"`, `'${key}'`, `"${key}"\t`),
    },
  );
}

/** Values that are malformed whatever the key: empty, blank, stray quotes and escapes. */
const oddKeyValue = fc.oneof(
  fc.constantFrom('', ' ', '\t', '""', '" "', '"\\"', '"\\x"', '"', '\\"', '"a', 'a"', '"a"b"', '"\t"', '"\u00e9"', '\u00e9', '"a"; p', '"a", "b"', '(a)'),
  fc.string({ unit: headerChar, maxLength: 30 }),
  fc.integer({ min: 250, max: 300 }).map((n) => `"${'k'.repeat(n)}"`),
);

const keyHeaderName = fc.constantFrom('Idempotency-Key', 'idempotency-key', 'IDEMPOTENCY-KEY', 'Idempotency-key');
const authHeaderName = fc.constantFrom('Authorization', 'authorization', 'AUTHORIZATION');

/** Credentials: usual ones, case and whitespace variants, odd bytes, long ones. */
const credential = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('Bearer alice', 'Bearer bob', 'bearer alice', 'Bearer  alice', 'Basic YTpi', 'Bearer alice ', ' Bearer alice', 'anonymous', ''),
  },
  { weight: 2, arbitrary: fc.string({ unit: headerChar, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: latin1High, minLength: 1, maxLength: 8 }).map((s) => `Bearer ${s}`) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 2000 }).map((n) => `Bearer ${'t'.repeat(n)}`) },
);

/** Header names undici refuses, or that change framing or connection handling. */
const RESERVED = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'proxy-connection',
  'idempotency-key',
  'authorization',
]);
const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const headerName = fc
  .oneof(
    fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 16 }),
    fc.constantFrom(
      'Content-Type',
      'Accept',
      'X-Request-Id',
      'Idempotency-Replayed',
      'Idempotent-Replayed',
      'X-Idempotency-Key',
      'Idempotency-Key-',
      'Cookie',
      'X-Forwarded-For',
      'Authorization2',
    ),
  )
  .filter((name) => !RESERVED.has(name.toLowerCase()));
const extraHeader: fc.Arbitrary<HeaderLine> = fc.tuple(
  headerName,
  fc.oneof(
    fc.string({ unit: headerChar, maxLength: 40 }),
    fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', '*/*', 'true'),
  ),
);

// --- bodies -------------------------------------------------------------------------------------

const currency = fc.stringMatching(/^[A-Za-z]{3}$/);
const extraFields = fc.dictionary(
  fc.string({ maxLength: 6 }).filter((k) => k !== 'simulate'),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 3 },
);
/** A body the demo accepts, so results are stored as 201s with a resource id (no `simulate`: no deliberate 5xx). */
const validPayment = fc
  .tuple(fc.integer({ min: 1, max: 1_000_000 }), currency, extraFields)
  .map(([amount, cur, extra]) => ({ ...extra, amount, currency: cur }));
const validRefund = fc
  .tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 1_000_000 }), extraFields)
  .map(([payment, amount, extra]) => ({ ...extra, payment, amount }));

const jsonText = (value: unknown, pretty: boolean): string => JSON.stringify(value, null, pretty ? 2 : undefined);

const body: fc.Arbitrary<Buffer | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.oneof(validPayment, validRefund), fc.boolean()).map(([v, p]) => Buffer.from(jsonText(v, p))) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(jsonText(v, false) ?? 'null')) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 4096 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 512 }).map((s) => Buffer.from(s)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      undefined,
      Buffer.alloc(0),
      Buffer.from('{'),
      Buffer.from('{"amount":1,"currency":"EUR"'),
      Buffer.from('\ufeff{"amount":1,"currency":"EUR"}'),
    ),
  },
);

const method = fc.oneof({ weight: 8, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom('PUT', 'PATCH', 'DELETE') });
const path = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('/payments', '/refunds') },
  { weight: 1, arbitrary: fc.constantFrom('/payments?x=1', '/refunds?', '/payments/', '/nope', '/payments?a=%7B%7D') },
);

/**
 * Request-target characters, weighted towards URL syntax and bad escapes. Visible ASCII only: undici
 * would send 0x80-0xff too, but Node's parser refuses those itself (400, before any of our code).
 */
const targetChar = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('%', '%E0%A4%A', '%zz', '%00', '%2F', '/', '//', '[', ']', '@', ':', '?', '#', '\\', '.', '..', 'payments', 'refunds'),
  },
);
const oddTarget = fc
  .tuple(fc.constantFrom('/', '//', '/payments/', '/refunds/', '/_idemaudit/ledger?key='), fc.string({ unit: targetChar, maxLength: 24 }))
  .map(([head, tail]) => head + tail);

interface Target {
  method: string;
  path: string;
}

/** Mostly the two mutations; now and then any target, with a mutation method or with GET (which bypasses the layer). */
const target: fc.Arbitrary<Target> = fc.oneof(
  { weight: 16, arbitrary: fc.record({ method, path }) },
  { weight: 1, arbitrary: fc.record({ method, path: oddTarget }) },
  { weight: 1, arbitrary: fc.record({ method: fc.constant('GET'), path: oddTarget }) },
);

/** The key lines of one request: spellings of the run's keys, odd values, repeats or none. */
function keyLines(keys: string[]): fc.Arbitrary<string[]> {
  const one = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...keys).chain(spellings) }, { weight: 1, arbitrary: oddKeyValue });
  return fc.oneof(
    { weight: 20, arbitrary: one.map((v) => [v]) },
    { weight: 1, arbitrary: fc.constant<string[]>([]) },
    { weight: 2, arbitrary: fc.array(one, { minLength: 2, maxLength: 3 }) },
  );
}

function authLines(credentials: string[]): fc.Arbitrary<string[]> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...credentials).map((c) => [c]) },
    { weight: 2, arbitrary: fc.constant<string[]>([]) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...credentials), { minLength: 2, maxLength: 3 }) },
  );
}

export const fuzzRun: fc.Arbitrary<FuzzRun> = fc
  .record({
    keySyntax: fc.constantFrom<KeySyntax>('sf-string', 'lenient'),
    keys: fc.uniqueArray(logicalKey, { minLength: 1, maxLength: 3 }),
    credentials: fc.uniqueArray(credential, { minLength: 1, maxLength: 3 }),
  })
  .chain(({ keySyntax, keys, credentials }) =>
    fc.record({
      keySyntax: fc.constant(keySyntax),
      requests: fc.array(
        fc
          .record({
            target,
            keyLines: keyLines(keys),
            authLines: authLines(credentials),
            extra: fc.array(extraHeader, { maxLength: 3 }),
            body,
            order: fc.constantFrom<[number, number, number]>([0, 1, 2], [2, 1, 0], [1, 2, 0], [0, 2, 1]),
            keyName: keyHeaderName,
            authName: authHeaderName,
          })
          .map(({ target: { method: m, path: p }, body: b, ...rest }): FuzzRequest => ({ ...rest, method: m, path: p, body: m === 'GET' ? undefined : b })),
        { minLength: 1, maxLength: 10 },
      ),
    }),
  )
  // Repeating a request is the most interesting thing a client does: replay one now and then.
  .chain((run) =>
    fc.array(fc.nat(), { maxLength: 4 }).map((picks) => {
      const requests = [...run.requests];
      for (const p of picks) requests.splice(p % (requests.length + 1), 0, requests[p % requests.length]!);
      return { keySyntax: run.keySyntax, requests };
    }),
  );

/** The flat [name, value, ...] header array undici sends in order. */
export function headerArray(req: FuzzRequest): string[] {
  const blocks: HeaderLine[][] = [req.extra, req.authLines.map((v): HeaderLine => [req.authName, v]), req.keyLines.map((v): HeaderLine => [req.keyName, v])];
  const out: string[] = [];
  if (req.body !== undefined && !req.extra.some(([n]) => n.toLowerCase() === 'content-type')) out.push('content-type', 'application/json');
  for (const i of req.order) for (const [name, value] of blocks[i]!) out.push(name, value);
  return out;
}

/**
 * Cross-tenant reuse on purpose: one key (spelt any valid way) used by two credentials that are
 * different tenants, each request sent twice, interleaved. The second tenant's first request must
 * execute afresh and never see the first tenant's resource.
 */
export const crossTenantRun: fc.Arbitrary<FuzzRun> = fc
  .record({
    keySyntax: fc.constantFrom<KeySyntax>('sf-string', 'lenient'),
    key: logicalKey.filter((k) => /^[\x20-\x7e]{1,255}$/.test(k)),
    credentials: fc.uniqueArray(credential, { minLength: 2, maxLength: 2, selector: (c) => c.trim() }).filter(([a, b]) => a!.trim() !== '' || b!.trim() !== ''),
    target: fc.record({ method: fc.constant('POST'), path: fc.constantFrom('/payments', '/refunds') }),
    body: fc.tuple(fc.oneof(validPayment, validRefund), fc.boolean()).map(([v, p]) => Buffer.from(jsonText(v, p))),
    spellingsOf: fc.array(fc.tuple(ows, ows), { minLength: 4, maxLength: 4 }),
    keyName: keyHeaderName,
    authName: authHeaderName,
  })
  .map(({ keySyntax, key, credentials, target: t, body: b, spellingsOf, keyName, authName }) => ({
    keySyntax,
    requests: [0, 1, 0, 1].map((who, i): FuzzRequest => ({
      method: t.method,
      path: t.path,
      keyLines: [`${spellingsOf[i]![0]}${sfQuote(key)}${spellingsOf[i]![1]}`],
      keyName,
      authLines: credentials[who] === '' ? [] : [credentials[who]!],
      authName,
      extra: [],
      body: b,
      order: [0, 1, 2],
    })),
  }));
