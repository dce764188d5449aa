// An independent model of what the reference server must do with a sequence of requests sent one at
// a time (GUIDE section 1, profile ietf-07): which key and tenant a request names, and which answer
// a correct layer gives. Written from the specs (RFC 9110 field values, RFC 9651 sf-string), not
// from the layer's code, so the two can disagree.
import type { KeySyntax } from '../../src/reference/layer/types.js';
import type { FuzzRequest } from './arbitraries/http.js';

export const MAX_KEY_LENGTH = 255;

/** Methods the layer protects by default; others pass straight through to the app. */
export const PROTECTED_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** HTTP strips optional whitespace (SP, HTAB) around a field value. */
const trimOws = (value: string): string => value.replace(/^[ \t]+|[ \t]+$/g, '');

export type KeyMeaning = { kind: 'missing' } | { kind: 'invalid' } | { kind: 'key'; key: string };

const SF_STRING = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/;
const BARE = /^[\x20-\x7e]+$/;

/**
 * The key the header names. Several lines of one field are one value joined with ", " (RFC 9110
 * section 5.3); an sf-string is a single item, so that is malformed unless the syntax is lenient
 * and the joined text is a valid bare key.
 */
export function keyMeaning(lines: string[], syntax: KeySyntax): KeyMeaning {
  if (lines.length === 0) return { kind: 'missing' };
  const value = trimOws(lines.map(trimOws).join(', '));
  let key: string;
  if (syntax === 'sf-string' || value.startsWith('"')) {
    const match = SF_STRING.exec(value);
    if (!match) return { kind: 'invalid' };
    key = match[1]!.replace(/\\(["\\])/g, '$1');
  } else {
    if (!BARE.test(value)) return { kind: 'invalid' };
    key = value;
  }
  return key.length >= 1 && key.length <= MAX_KEY_LENGTH ? { kind: 'key', key } : { kind: 'invalid' };
}

/** Who the request belongs to: the first Authorization line (Node keeps the first), blank = nobody. */
export function tenantOf(lines: string[]): string {
  const first = lines[0] === undefined ? '' : trimOws(lines[0]);
  return first === '' ? '(anonymous)' : `auth:${first}`;
}

/** What makes two requests "the same request" for the layer: method, path with query, body bytes. */
export function fingerprintOf(req: FuzzRequest): string {
  return `${req.method}\n${req.path}\n${(req.body ?? Buffer.alloc(0)).toString('base64')}`;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

interface Stored {
  fingerprint: string;
  status: number;
  body: Buffer;
  /** The request that created it, for messages. */
  index: number;
}

/** Extracts the created resource's id from a 201 answer, when there is one. */
export function resourceId(answer: Answer): string | undefined {
  if (answer.status !== 201) return undefined;
  try {
    const id = (JSON.parse(answer.body.toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

const problemType = (answer: Answer): string | undefined => {
  try {
    return (JSON.parse(answer.body.toString('utf8')) as { type?: string }).type;
  } catch {
    return undefined;
  }
};

/**
 * Checks each answer against the model and records it. Returns the violations found for this
 * answer (empty when it is what a correct layer gives).
 */
export class ServerModel {
  /** (tenant, key) -> the stored answer. */
  readonly #stored = new Map<string, Stored>();
  /** Resource id -> the (tenant, key) whose execution created it. */
  readonly #owners = new Map<string, string>();

  /** `tally` counts the situations seen (first use, replay, reuse, bad key...), to show what a run covered. */
  constructor(
    readonly syntax: KeySyntax,
    readonly tally: Map<string, number> = new Map(),
  ) {}

  #count(situation: string, status: number): void {
    const label = `${situation} -> ${status}`;
    this.tally.set(label, (this.tally.get(label) ?? 0) + 1);
  }

  check(index: number, req: FuzzRequest, answer: Answer): string[] {
    const problems: string[] = [];
    const fail = (message: string): void => {
      problems.push(`request #${index}: ${message}`);
    };
    if (answer.status >= 500) fail(`answered ${answer.status}: the store is up and the demo never fails on its own`);

    if (!PROTECTED_METHODS.has(req.method)) {
      // GET and friends bypass the layer (and never create anything): only "no 5xx" applies.
      this.#count(`${req.method} (not protected)`, answer.status);
      if (answer.headers['idempotent-replayed'] !== undefined) fail('an unprotected method was answered with a replay');
      return problems;
    }
    const meaning = keyMeaning(req.keyLines, this.syntax);
    const replayed = answer.headers['idempotent-replayed'] === 'true';
    const id = resourceId(answer);
    const slot = meaning.kind === 'key' ? `${tenantOf(req.authLines)}\u0000${meaning.key}` : undefined;

    // Collisions first: a resource id belongs to the (tenant, key) whose execution created it.
    if (id !== undefined) {
      const owner = this.#owners.get(id);
      if (owner !== undefined && owner !== slot) {
        fail(
          `received resource ${id}, created for ${JSON.stringify(owner)}, while sending ${JSON.stringify(slot ?? meaning.kind)} (cross-key or cross-tenant replay)`,
        );
      }
    }

    if (meaning.kind !== 'key' || slot === undefined) {
      this.#count(`${meaning.kind} key`, answer.status);
      if (answer.status !== 400) fail(`a ${meaning.kind} key must get 400, got ${answer.status}`);
      const expectedType = meaning.kind === 'missing' ? 'missing-idempotency-key' : 'invalid-idempotency-key';
      if (!problemType(answer)?.endsWith(expectedType)) fail(`expected a ${expectedType} problem, got ${answer.body.toString('utf8').slice(0, 200)}`);
      if (replayed) fail('a request without a usable key was answered with a replay');
      return problems;
    }

    const fingerprint = fingerprintOf(req);
    const stored = this.#stored.get(slot);
    if (stored === undefined) {
      // First use of this (tenant, key): processed, whatever the answer.
      this.#count('first use', answer.status);
      if (replayed) fail(`first use of ${JSON.stringify(slot)} was answered with a replay (someone else's stored response)`);
      if (answer.status === 409 || answer.status === 422) fail(`first use of ${JSON.stringify(slot)} got ${answer.status}`);
      if (id !== undefined && this.#owners.has(id)) fail(`first use of ${JSON.stringify(slot)} got the existing resource ${id}`);
      if (id !== undefined) this.#owners.set(id, slot);
      if (answer.status < 500) this.#stored.set(slot, { fingerprint, status: answer.status, body: answer.body, index });
      return problems;
    }
    if (stored.fingerprint !== fingerprint) {
      this.#count('reuse with another request', answer.status);
      if (answer.status !== 422) fail(`key reused with another request (first: #${stored.index}) must get 422, got ${answer.status}`);
      if (id !== undefined) fail(`key reused with another request executed it (resource ${id})`);
      return problems;
    }
    // Same request again: the stored answer, byte for byte, marked as a replay.
    this.#count('same request again', answer.status);
    if (answer.status !== stored.status) fail(`retry of #${stored.index} got ${answer.status}, the original got ${stored.status}`);
    if (!answer.body.equals(stored.body))
      fail(
        `retry of #${stored.index} got another body (${answer.body.toString('utf8').slice(0, 120)} instead of ${stored.body.toString('utf8').slice(0, 120)})`,
      );
    if (!replayed) fail(`retry of #${stored.index} carries no Idempotent-Replayed: true`);
    return problems;
  }
}
