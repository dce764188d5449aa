// Values the scenario loader learns are secret but the Scenario data cannot say: environment
// values interpolated into headers (a token from $TOKEN is a credential whatever its header is
// called). Kept beside the parsed scenario, so the redaction policy can scrub them by value.
import type { Scenario } from './schema.js';

const interpolated = new WeakMap<object, string[]>();

export function rememberInterpolatedSecrets(scenario: Scenario, values: string[]): Scenario {
  if (values.length > 0) interpolated.set(scenario, [...new Set(values)]);
  return scenario;
}

export function interpolatedSecrets(scenario: Scenario): string[] {
  return interpolated.get(scenario) ?? [];
}
