// `run --targets eu=http://127.0.0.1:4000,us=http://127.0.0.1:4001`: the instances or regions of the
// API for the cross-instance checks, overriding the scenario's `targets:` (parsed here, exit 2 when wrong).
import { InvalidArgumentError } from 'commander';
import type { Scenario } from '../scenario/schema.js';
import { Redactor } from '../report/redact.js';

/** Errors echo what was given, without its credentials (user:password, a token in the query). */
const shown = new Redactor();

const NAME = /^[a-zA-Z0-9_.-]+$/;

export function targetsFlag(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const out = { ...previous };
  for (const pair of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const url = pair.slice(eq + 1);
    if (eq <= 0 || !NAME.test(name)) throw new InvalidArgumentError(`expected name=url pairs such as eu=http://127.0.0.1:4000, got '${shown.url(pair)}'`);
    if (url !== 'self') {
      let parsed: URL | undefined;
      try {
        parsed = new URL(url);
      } catch {
        parsed = undefined;
      }
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
        throw new InvalidArgumentError(`${name}: '${shown.url(url)}' is not an http(s) URL (or self)`);
    }
    if (out[name] !== undefined) throw new InvalidArgumentError(`target name '${name}' given twice`);
    out[name] = url;
  }
  return out;
}

/** The scenario with `--targets` in place of its `targets:` and of every endpoint's own (all of them are replaced). */
export function withTargets(scenario: Scenario, targets: Record<string, string>): Scenario {
  return { ...scenario, targets, endpoints: scenario.endpoints.map(({ targets: _replaced, ...endpoint }) => endpoint) };
}
