// Minimal reproductions: the evidence of a finding as curl commands a sceptical engineer can run.
// Redacted values become environment variables (IDEMAUDIT_<HEADER>), so no secret is printed and
// the command still works once the variable is set.
import { REDACTED } from './redact.js';
import type { ExchangeRecord } from '../core/exchange.js';

const SKIP = new Set(['content-length', 'connection', 'host', 'transfer-encoding']);

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function secretVar(header: string): string {
  return `IDEMAUDIT_${header.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

function headerArgs(rec: ExchangeRecord): string[] {
  return (
    Object.entries(rec.request.headers)
      .filter(([name]) => !SKIP.has(name.toLowerCase()))
      // curl drops a header given as 'name: ' (empty value); 'name;' sends it empty.
      .map(([name, value]) =>
        value === REDACTED ? `-H "${name}: \${${secretVar(name)}}"` : value === '' ? `-H ${quote(`${name};`)}` : `-H ${quote(`${name}: ${value}`)}`,
      )
  );
}

function requestArgs(rec: ExchangeRecord): string {
  // -i per transfer: curl applies options given before --next to that transfer only.
  const parts = ['-i', '-X', rec.request.method, quote(rec.request.url), ...headerArgs(rec)];
  // A body cut short for the report cannot be replayed faithfully; say so rather than send garbage.
  if (rec.request.body !== undefined)
    parts.push(rec.request.body.includes('… (') ? "--data-binary '<body truncated in report>'" : `--data-binary ${quote(rec.request.body)}`);
  return parts.join(' ');
}

/** One command per exchange, in order; concurrent copies become one parallel curl invocation. */
export function reproduction(evidence: ExchangeRecord[], concurrent: boolean): string[] {
  const sent = evidence.filter((e) => e.label !== 'probe' && e.label !== 'ledger');
  if (sent.length === 0) return [];
  if (concurrent && sent.length > 1) {
    return [`curl -sS --parallel --parallel-immediate --parallel-max ${sent.length} ${sent.map(requestArgs).join(' --next ')}`];
  }
  return sent.map((e) => `curl -sS ${requestArgs(e)}`);
}
