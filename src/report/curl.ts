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

/** How the run trusted the target's certificate, so an https reproduction trusts it the same way. */
export interface CurlTls {
  /** Path of the CA file the run was given (`--ca`): becomes `--cacert <path>`. */
  caFile?: string;
  /** An extra CA given as PEM text without a file (programmatic runs): `--cacert "${IDEMAUDIT_CA_FILE}"`. */
  ca?: string;
  /** Certificate verification was off (`--insecure`): `-k`, with a comment saying why. */
  insecure?: boolean;
}

/** The variable a reproduction names when the run's CA has no file path to print. */
export const CA_FILE_VAR = 'IDEMAUDIT_CA_FILE';

/**
 * curl's TLS options for one https transfer: `-k` when the run did not verify certificates (it would
 * otherwise fail on the self-signed certificate the audit accepted), else `--cacert` for the run's CA.
 */
function tlsArgs(rec: ExchangeRecord, tls: CurlTls | undefined): string[] {
  if (!tls || !/^https:/i.test(rec.request.url)) return [];
  if (tls.insecure) return ['-k'];
  if (tls.caFile !== undefined) return ['--cacert', quote(tls.caFile)];
  if (tls.ca !== undefined) return ['--cacert', `"\${${CA_FILE_VAR}}"`];
  return [];
}

function requestArgs(rec: ExchangeRecord, tls?: CurlTls): string {
  // -i per transfer: curl applies options given before --next to that transfer only (TLS options too).
  const parts = ['-i', ...tlsArgs(rec, tls), '-X', rec.request.method, quote(rec.request.url), ...headerArgs(rec)];
  // A body cut short for the report cannot be replayed faithfully; say so rather than send garbage.
  if (rec.request.body !== undefined)
    parts.push(rec.request.body.includes('… (') ? "--data-binary '<body truncated in report>'" : `--data-binary ${quote(rec.request.body)}`);
  return parts.join(' ');
}

/** A shell comment after a command that skips certificate verification, so nobody copies -k blindly. */
const INSECURE_NOTE = '  # -k: the audit ran with --insecure (TLS certificate not verified)';

/**
 * One command per exchange, in order; concurrent copies become one parallel curl invocation. `tls`:
 * how the run trusted an https target (its CA file, or no verification), repeated in each command.
 */
export function reproduction(evidence: ExchangeRecord[], concurrent: boolean, tls?: CurlTls): string[] {
  const sent = evidence.filter((e) => e.label !== 'probe' && e.label !== 'ledger');
  if (sent.length === 0) return [];
  const note = (cmd: string): string => (tls?.insecure && sent.some((e) => /^https:/i.test(e.request.url)) ? `${cmd}${INSECURE_NOTE}` : cmd);
  if (concurrent && sent.length > 1) {
    return [note(`curl -sS --parallel --parallel-immediate --parallel-max ${sent.length} ${sent.map((e) => requestArgs(e, tls)).join(' --next ')}`)];
  }
  return sent.map((e) => note(`curl -sS ${requestArgs(e, tls)}`));
}
