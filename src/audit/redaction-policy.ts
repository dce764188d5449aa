import type { Scenario } from '../scenario/schema.js';
import { SECRET_HEADERS, type RedactionPolicy } from '../report/redact.js';

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
export function redactionPolicyFor(scenario: Scenario): Partial<RedactionPolicy> {
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
  return { names: [...names], secrets };
}
