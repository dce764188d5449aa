// Stable identities of results across runs: what CI test names, SARIF fingerprints and `compare`
// key on. Only the check, the endpoint and a variant that does not depend on measured values go in:
// a message holds figures ("arrivals within 6.9 ms") and changes from run to run.
import type { Report, ResultRecord } from './model.js';

export interface ResultIdentity {
  check: string;
  endpoint: string;
  /** Set when a check reports several results on one endpoint: `facts.variant` when the check names
   * one, else the result's ordinal among that check's results on that endpoint (1-based). */
  variant?: string;
  /** `check[variant]` or `check`: the test name within an endpoint. */
  name: string;
  /** `endpoint/check[/variant]`: unique within a report. */
  id: string;
}

function declaredVariant(r: ResultRecord): string | undefined {
  const v = r.facts?.variant;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** One identity per result, in the report's order. */
export function resultIdentities(report: Pick<Report, 'results'>): ResultIdentity[] {
  const total = new Map<string, number>();
  for (const r of report.results) total.set(`${r.endpoint}\u0000${r.check}`, (total.get(`${r.endpoint}\u0000${r.check}`) ?? 0) + 1);
  const seen = new Map<string, number>();
  return report.results.map((r) => {
    const pair = `${r.endpoint}\u0000${r.check}`;
    const ordinal = (seen.get(pair) ?? 0) + 1;
    seen.set(pair, ordinal);
    const variant = declaredVariant(r) ?? ((total.get(pair) ?? 1) > 1 ? String(ordinal) : undefined);
    const name = variant ? `${r.check}[${variant}]` : r.check;
    return { check: r.check, endpoint: r.endpoint, ...(variant ? { variant } : {}), name, id: `${r.endpoint}/${r.check}${variant ? `/${variant}` : ''}` };
  });
}
