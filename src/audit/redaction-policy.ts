import type { Scenario } from '../scenario/schema.js';
import { CREDENTIAL_QUERY_NAMES, SECRET_HEADERS, type RedactionPolicy } from '../report/redact.js';
import { interpolatedSecrets } from '../scenario/secrets.js';

/**
 * Header names that carry credentials by convention. `Idempotency-Key` does not match: keys are
 * evidence, not secrets.
 */
const CREDENTIAL_NAME = /auth|token|secret|passw|api[-_]?key|session|cookie|signature|credential/i;

/** A credential's value with and without its scheme word, so both spellings get scrubbed. */
function credentialValues(value: string): string[] {
  return [value, value.replace(/^(Bearer|Basic|Token|Digest)\s+/i, '')];
}

/**
 * What a scenario makes secret: every header a tenant declares, every header anywhere in the
 * scenario whose name is a known or conventional credential, and the `redact:` names; secret
 * headers are redacted by name and their values scrubbed from every string.
 */
/** user, password and user:password of a URL's userinfo, raw and decoded. */
export function urlCredentials(text: string | undefined): string[] {
  const m = text ? /^[a-z][a-z0-9+.-]*:\/\/([^/@?#]+)@/i.exec(text) : null;
  if (!m) return [];
  const info = m[1]!;
  const colon = info.indexOf(':');
  const parts = colon < 0 ? [info] : [info, info.slice(0, colon), info.slice(colon + 1)];
  const decode = (v: string): string => {
    try {
      return decodeURIComponent(v);
    } catch {
      return v;
    }
  };
  return parts.flatMap((p) => [p, decode(p)]).filter((p) => p.length > 0);
}

/** Values of credential-named parameters in a URL or path's query string. */
function queryCredentials(text: string | undefined, names: Set<string>): string[] {
  const q = text?.indexOf('?') ?? -1;
  if (!text || q < 0) return [];
  const out: string[] = [];
  for (const [name, value] of new URLSearchParams(text.slice(q + 1))) {
    if (names.has(name.toLowerCase()) && value) out.push(value);
  }
  return out;
}

/** Values of fields named in `redact:` (any depth) inside request bodies and check options. */
function declaredFieldValues(node: unknown, names: Set<string>, out: string[], under = false): void {
  if (Array.isArray(node)) for (const n of node) declaredFieldValues(n, names, out, under);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) declaredFieldValues(v, names, out, under || names.has(k.toLowerCase()));
  } else if (under && (typeof node === 'string' || typeof node === 'number')) out.push(String(node));
}

export function redactionPolicyFor(scenario: Scenario, targets: string[] = []): Partial<RedactionPolicy> {
  const names = new Set([...SECRET_HEADERS, ...scenario.redact.map((n) => n.toLowerCase())]);
  const secrets: string[] = [];
  const isSecret = (name: string): boolean => names.has(name.toLowerCase()) || CREDENTIAL_NAME.test(name);
  const collect = (headers: Record<string, string> | undefined, all = false): void => {
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (!all && !isSecret(name)) continue;
      names.add(name.toLowerCase());
      secrets.push(...credentialValues(value));
    }
  };
  for (const tenant of Object.values(scenario.tenants)) collect(tenant.headers, true);
  collect(scenario.defaults.headers);
  for (const endpoint of scenario.endpoints) collect(endpoint.headers);
  collect(scenario.hooks?.storeOutage?.headers);
  // Environment values interpolated into any header are credentials whatever the header's name.
  secrets.push(...interpolatedSecrets(scenario));
  // URL credentials and credential-named query values of the target, the ledger and every path.
  const queryNames = new Set([...CREDENTIAL_QUERY_NAMES, ...names]);
  for (const url of [scenario.target, scenario.ledger, ...targets, ...scenario.endpoints.flatMap((e) => [e.path, e.probe?.path])]) {
    secrets.push(...urlCredentials(url), ...queryCredentials(url, queryNames));
  }
  // The values of declared `redact:` fields, so a target reflecting them elsewhere is scrubbed too.
  const declared = new Set(scenario.redact.map((n) => n.toLowerCase()));
  if (declared.size > 0) {
    const values: string[] = [];
    declaredFieldValues(
      scenario.endpoints.map((e) => e.body),
      declared,
      values,
    );
    declaredFieldValues(scenario.checks, declared, values);
    secrets.push(...values);
  }
  return { names: [...names], secrets };
}
