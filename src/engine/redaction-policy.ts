import type { Scenario } from '../scenario/schema.js';
import type { RedactionPolicy } from './redact.js';

/** Every credential header a scenario declares is secret, by name and by value. */
export function redactionPolicyFor(scenario: Scenario): Partial<RedactionPolicy> {
  const names = new Set(scenario.redact.map((n) => n.toLowerCase()));
  const secrets: string[] = [];
  for (const tenant of Object.values(scenario.tenants)) {
    for (const [name, value] of Object.entries(tenant.headers)) {
      names.add(name.toLowerCase());
      secrets.push(value, value.replace(/^(Bearer|Basic|Token)\s+/i, ''));
    }
  }
  for (const [name, value] of Object.entries(scenario.defaults.headers ?? {})) {
    const lower = name.toLowerCase();
    if (names.has(lower) || ['authorization', 'cookie', 'proxy-authorization'].includes(lower)) {
      secrets.push(value, value.replace(/^(Bearer|Basic|Token)\s+/i, ''));
    }
  }
  return { names: [...names], secrets };
}
