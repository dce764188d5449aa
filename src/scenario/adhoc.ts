// `idemaudit check METHOD URL` builds this in-memory scenario from curl-like flags, so the ad hoc
// audit runs through exactly the same engine, report and exit codes as `run`.
import { CHECK_OPTIONS } from './check-options/index.js';
import { UsageError } from '../core/errors.js';
import { headerNameProblem, headerValueProblem } from '../core/header-syntax.js';
import { templateProblems } from './rules.js';
import { scenarioSchema, type Scenario } from './schema.js';

export interface AdhocFlags {
  header: string[];
  data?: string;
  keyHeader?: string;
  tenantHeader: string[];
  identity?: string;
  profile?: string;
  /** Extra header, query and JSON field names to redact (--redact). */
  redact?: string[];
}

/** Checks an ad hoc audit runs: everything that needs no scenario-specific setup. */
const CORE = ['concurrent-duplicates', 'sequential-replay', 'payload-mismatch', 'missing-key', 'cross-tenant', 'key-validation', 'fingerprint'];

export function parseHeader(text: string, flag = '-H'): [string, string] {
  const i = text.indexOf(':');
  const shown = JSON.stringify(text).slice(1, -1);
  if (i <= 0) throw new UsageError(`${flag} '${shown}' is not a header`, "write it as 'Name: value'");
  const name = text.slice(0, i).trim();
  // Only spaces and tabs are trimmed: a trailing newline (a token read from a file) is an error, not silently kept.
  const value = text.slice(i + 1).replace(/^[ \t]+|[ \t]+$/g, '');
  const problem = headerNameProblem(name) ?? headerValueProblem(value);
  if (problem) throw new UsageError(`${flag} '${name}': ${problem}`, "write it as 'Name: value' with a printable value");
  return [name, value];
}

export function slug(text: string): string {
  return (
    text
      .replace(/[^a-zA-Z0-9_.]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'endpoint'
  );
}

/** The endpoint URL of an ad hoc command, or a usage error that says what a URL looks like. */
export function parseEndpointUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`'${url}' is not a URL`, 'give the full URL, e.g. https://staging.example.com/v1/payments');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`'${url}' is not an http(s) URL`);
  return parsed;
}

/** A body flag's text: JSON is sent as JSON (templates apply), anything else as-is. */
export function parseBody(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function adhocScenario(method: string, url: string, flags: AdhocFlags): Scenario {
  const parsed = parseEndpointUrl(url);
  const headers = Object.fromEntries(flags.header.map((h) => parseHeader(h, '-H')));
  const second = Object.fromEntries(flags.tenantHeader.map((h) => parseHeader(h, '--tenant-header')));
  // The second tenant's header names are the credential: the first tenant's values for them
  // move from the shared headers into its own tenant block.
  const credentialNames = new Set(Object.keys(second).map((n) => n.toLowerCase()));
  const primary: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    if (credentialNames.has(name.toLowerCase())) {
      primary[name] = headers[name]!;
      delete headers[name];
    }
  }
  const body = parseBody(flags.data);
  const endpoint: Record<string, unknown> = {
    name: slug(`${method} ${parsed.pathname}`).toLowerCase(),
    method: method.toUpperCase(),
    path: `${parsed.pathname}${parsed.search}`,
  };
  if (body !== undefined) endpoint.body = body;
  if (flags.identity) endpoint.identity = flags.identity;
  const input = {
    version: 1,
    name: slug(`check-${parsed.host}${parsed.pathname}`),
    target: parsed.origin,
    profile: flags.profile ?? 'ietf-07',
    defaults: { headers, ...(flags.keyHeader ? { keyHeader: flags.keyHeader } : {}) },
    tenants: flags.tenantHeader.length > 0 ? { primary: { headers: primary }, secondary: { headers: second } } : {},
    redact: flags.redact ?? [],
    endpoints: [endpoint],
    checks: Object.fromEntries(CORE.filter((id) => CHECK_OPTIONS.has(id)).map((id) => [id, id === 'concurrent-duplicates' ? { copies: 8, rounds: 2 } : {}])),
  };
  const templates = templateProblems(input);
  if (templates.length > 0) {
    const where = (p: readonly PropertyKey[]) => (p[2] === 'body' ? '-d' : p[2] === 'path' ? 'the URL' : p.join('.'));
    throw new UsageError(`cannot audit ${method} ${url}: ${templates.map((t) => `${where(t.path)}: ${t.message}`).join('; ')}`);
  }
  const result = scenarioSchema().safeParse(input);
  if (!result.success) {
    throw new UsageError(`cannot audit ${method} ${url}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}
