// Key syntax (GUIDE row 6): malformed header values (empty, over-long, control characters,
// non-ASCII, a bare token where an sf-string is due) must be refused with a 4xx, never a 5xx; and
// distinct keys that a sloppy normaliser could conflate (separator injection, wildcards, case,
// percent-encoding) must never share one stored result.
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import { formatKey, type KeyFormat } from '../engine/keys.js';
import type { ExecutionCount } from '../engine/oracle.js';
import type { Profile } from '../profiles/index.js';
import type { Endpoint } from '../scenario/schema.js';
import { is5xx, isMarkedReplay } from './compare.js';
import { sameResult } from './cross-endpoint.js';
import { send } from './send.js';
import { defineCheck, finding, type Finding } from './api.js';

import { KeyValidationOptions as Options } from '../scenario/check-options/key-validation.js';

/** What the profile says about a probe: refused (4xx), accepted, or either (observation only). */
export type KeyExpectation = 'reject' | 'accept' | 'either';

export interface KeyProbe {
  /** Stable name used in facts, e.g. `empty-quoted`. */
  name: string;
  /** The exact header value sent. */
  header: string;
  /** The key the header names (unquoted), for evidence and the ledger. */
  key: string;
  expect: KeyExpectation;
  /** Set when the HTTP client cannot put this value on the wire: the probe is skipped with this note. */
  unsendable?: string;
}

/**
 * Field values undici (and node:http) refuse to send: everything but HTAB, visible ASCII and
 * obs-text (0x80-0xFF, sent as latin1 bytes). CR, LF, NUL and other controls are among them.
 */
const UNSENDABLE = /[^\t\x20-\x7e\x80-\xff]/;

export function unsendableReason(header: string): string | undefined {
  const bad = UNSENDABLE.exec(header)?.[0];
  if (bad === undefined) return undefined;
  const code = bad.codePointAt(0)!;
  const what = code > 0xff ? 'characters above U+00FF' : 'control characters other than HTAB';
  return `the HTTP client refuses header values with ${what} (U+${code.toString(16).toUpperCase().padStart(4, '0')}); not sent`;
}

/**
 * The malformed and borderline header values to send, derived from a fresh key `base` so accepted
 * probes never share a key. `format` is how keys are written on the wire (sf-string or raw).
 */
export function keyProbes(base: string, format: KeyFormat, maxLength = 255): KeyProbe[] {
  const sf = format === 'sf-string';
  const wire = (key: string) => formatKey(key, format);
  const pad = (n: number) => (base + 'x'.repeat(n)).slice(0, n);
  const probe = (name: string, key: string, header: string, expect: KeyExpectation): KeyProbe => {
    const reason = unsendableReason(header);
    return reason ? { name, header, key, expect, unsendable: reason } : { name, header, key, expect };
  };
  // Control characters and non-ASCII keys are explicitly malformed only for sf-string keys
  // (printable ASCII); under a raw-key profile their acceptance is an observation.
  const strict: KeyExpectation = sf ? 'reject' : 'either';
  return [
    probe('empty-header', '', '', 'reject'),
    probe('empty-quoted', sf ? '' : '""', '""', sf ? 'reject' : 'either'),
    probe('too-long', pad(maxLength + 1), wire(pad(maxLength + 1)), 'reject'),
    probe('max-length', pad(maxLength), wire(pad(maxLength)), 'accept'),
    probe('control-tab', `${base}\tx`, wire(`${base}\tx`), strict),
    probe('control-soh', `${base}\u0001x`, wire(`${base}\u0001x`), strict),
    probe('control-crlf', `${base}\r\nx`, wire(`${base}\r\nx`), strict),
    probe('control-nul', `${base}\u0000x`, wire(`${base}\u0000x`), strict),
    probe('non-ascii-latin1', `${base}-cl\u00e9`, wire(`${base}-cl\u00e9`), strict),
    probe('non-ascii-cyrillic', `${base}-ключ`, wire(`${base}-ключ`), strict),
    // Accepting a bare token besides the quoted sf-string is interoperable, not deviant (issue 12):
    // an observation under sf-string profiles.
    probe('bare-token', `${base}-bare`, `${base}-bare`, sf ? 'either' : 'accept'),
    probe('quoted-string', `${base}-quoted`, `"${base}-quoted"`, sf ? 'accept' : 'either'),
  ];
}

/**
 * Distinct, well-formed keys a sloppy normaliser could map onto `base` or onto each other:
 * separator injection, a wildcard, a fake tenant prefix, case folding, percent-decoding.
 */
export function collisionKeys(base: string): Array<{ name: string; key: string }> {
  return [
    { name: 'separator', key: `${base}:x` },
    { name: 'percent-encoded', key: `${base}%3Ax` },
    { name: 'wildcard', key: `${base}*` },
    { name: 'tenant-prefix', key: `tenant:${base}` },
    { name: 'upper-case', key: base.toUpperCase() },
  ];
}

export interface SentProbe {
  probe: KeyProbe;
  /** Absent when the probe was unsendable. */
  exchange?: Exchange;
}

export interface CollisionProbe {
  name: string;
  key: string;
  exchange: Exchange;
  count: ExecutionCount;
}

export interface KeyValidationObservation {
  format: KeyFormat;
  probes: SentProbe[];
  /** The base key first, then its look-alikes (sent together once the base has completed), all with one body. */
  collisions: CollisionProbe[];
}

/** Why `c` looks like a stored result of another key rather than its own execution, if it does. */
function collisionOf(c: CollisionProbe, others: CollisionProbe[], endpoint: Endpoint, isBase: boolean): string | undefined {
  if (!isBase && c.exchange.response?.status === 409) return `key ${c.name} answered 409 although it was never used: it shares a claim with another key`;
  if (!isSuccess(c.exchange)) return undefined;
  const twin = others.find((e) => sameResult(e.exchange, c.exchange, endpoint));
  if (twin) return `keys ${twin.name} and ${c.name} got the same result`;
  if (!isBase && isMarkedReplay(c.exchange)) return `key ${c.name} was answered with a replay although it was never used`;
  const none = (['ledger', 'probe'] as const).find((o) => c.count.by[o] === 0);
  if (none) return `key ${c.name} answered ${c.exchange.response!.status} but the ${none} recorded no execution for it`;
  return undefined;
}

export function judgeKeyValidation(obs: KeyValidationObservation, endpoint: Endpoint, profile: Profile): Finding[] {
  const cite = profile.cite.invalidKey;
  const sent = obs.probes.filter((p): p is Required<SentProbe> => p.exchange !== undefined);
  const accepted = sent.filter((p) => isSuccess(p.exchange));
  const answered = (p: Required<SentProbe>) => `${p.probe.name} (${statusOf(p.exchange)})`;
  const base = obs.collisions[0];
  const collisions: string[] = [];
  const withEvidence: Exchange[] = [];
  // Each pair is reported once: a key is compared with the keys listed before it.
  obs.collisions.forEach((c, i) => {
    const why = collisionOf(c, obs.collisions.slice(0, i), endpoint, i === 0);
    if (why) {
      collisions.push(why);
      withEvidence.push(c.exchange);
    }
  });
  if (collisions.length > 0 && base) withEvidence.unshift(base.exchange);
  const facts: Record<string, unknown> = {
    format: obs.format,
    accepted: accepted.map((p) => p.probe.name),
    rejected: sent.filter((p) => p.exchange.response && !isSuccess(p.exchange)).map(answered),
    noResponse: sent.filter((p) => !p.exchange.response).map((p) => `${p.probe.name} (${p.exchange.error})`),
    unsendable: obs.probes.filter((p) => p.probe.unsendable).map((p) => `${p.probe.name}: ${p.probe.unsendable}`),
    keysKeptApart: obs.collisions.filter((c) => isSuccess(c.exchange)).map((c) => c.name),
    collisions,
  };

  const findings: Finding[] = [];
  const fiveHundreds = [...sent.map((p) => ({ name: p.probe.name, exchange: p.exchange })), ...obs.collisions].filter((p) => is5xx(p.exchange));
  if (fiveHundreds.length > 0) {
    findings.push(
      finding(
        'fail',
        'violation',
        `key value(s) answered with a 5xx: ${fiveHundreds.map((p) => `${p.name} (${p.exchange.response!.status})`).join(', ')}`,
        cite,
        fiveHundreds.map((p) => p.exchange).slice(0, 5),
        facts,
      ),
    );
  }
  if (collisions.length > 0) {
    findings.push(finding('fail', 'violation', `distinct keys share one stored entry: ${collisions.join('; ')}`, profile.cite.execution, withEvidence, facts));
  }
  const malformed = accepted.filter((p) => p.probe.expect === 'reject');
  if (malformed.length > 0) {
    findings.push(
      finding(
        'fail',
        'deviation',
        `malformed key(s) accepted and executed: ${malformed.map(answered).join(', ')}`,
        cite,
        malformed.map((p) => p.exchange).slice(0, 5),
        facts,
      ),
    );
  }
  if (!base || !isSuccess(base.exchange)) {
    findings.push(
      finding(
        'error',
        'deviation',
        `the base request failed (${base ? statusOf(base.exchange) : 'not sent'}), so key collisions cannot be judged`,
        profile.cite.execution,
        base ? [base.exchange] : [],
        facts,
      ),
    );
  }
  const bare = obs.format === 'sf-string' ? accepted.find((p) => p.probe.name === 'bare-token') : undefined;
  const bareNote = bare
    ? [finding('pass', 'observation', `bare (unquoted) keys are accepted as well as sf-string quoted ones (${answered(bare)})`, cite, [bare.exchange], facts)]
    : [];
  if (findings.length > 0) return [...findings, ...bareNote];
  const refused = sent.filter((p) => p.probe.expect === 'reject').map(answered);
  return [
    finding(
      'pass',
      'violation',
      `no 5xx; malformed keys refused (${refused.join(', ') || 'none sent'}); the base key and ${obs.collisions.length - 1} look-alikes kept apart`,
      cite,
      [...sent.map((p) => p.exchange).slice(0, 4), ...obs.collisions.map((c) => c.exchange).slice(0, 2)],
      facts,
    ),
    ...bareNote,
  ];
}

export const keyValidation = defineCheck<Options>({
  id: 'key-validation',
  title: 'Key validation',
  summary: 'empty, over-long, control-character, non-ASCII and bare keys refused with a 4xx; look-alike keys never collide',
  options: Options,
  async run(ctx) {
    const format = ctx.scenario.defaults.keyFormat ?? ctx.profile.keyFormat;
    const base = ctx.keys.next();
    const body = ctx.requests.renderBody(ctx.endpoint, { key: base });
    const probes = keyProbes(base, format, ctx.options.maxLength);
    const sendLookAlike = async (name: string, key: string): Promise<CollisionProbe> => {
      const exchange = await send(ctx, `key ${name}`, { key, body });
      return { name, key, exchange, count: await ctx.oracle.count(ctx.endpoint, key, [exchange]) };
    };
    // One request at a time, though every probe has its own key: overlapping requests would make a
    // server that serialises unrelated keys fail here too, where concurrent-duplicates owns that. The
    // look-alikes follow the base with the same body: colliding with the base shows up as a replay
    // of its result, colliding with each other as a shared result.
    const sent: SentProbe[] = [];
    for (const probe of probes) {
      if (ctx.signal.aborted) break;
      sent.push(probe.unsendable ? { probe } : { probe, exchange: await send(ctx, `key ${probe.name}`, { key: probe.key, rawKeyHeader: probe.header, body }) });
    }
    const first = await sendLookAlike('base', base);
    const collisions = [first];
    for (const { name, key } of ctx.signal.aborted ? [] : collisionKeys(base)) collisions.push(await sendLookAlike(name, key));
    return judgeKeyValidation({ format, probes: sent, collisions }, ctx.endpoint, ctx.profile);
  },
});
