// `x-idempotency`: the OpenAPI extension idemaudit reads to learn what a spec cannot say with plain
// parameters and responses. Allowed on the document root, a path item or an operation:
//
//   x-idempotency:
//     header: Idempotency-Key   # the key header, when it is not declared as a header parameter
//     required: true            # the key is mandatory (also true when the header parameter is required)
//     retention: 24h            # how long a completed key is replayed (ms, s, m, h, d)
//     conflict: 422             # status for a key reused with another payload (409 or 422)
//     risk: critical            # business-risk class, overriding the guess (critical|high|medium|low)
//     justification: "..."      # why the key is not required (governance: "key required: no, because")
//
// Unknown fields and bad values are reported as problems, never fatal.
export type RiskLevel = 'critical' | 'high' | 'medium' | 'low';
export const RISK_LEVELS: readonly RiskLevel[] = ['critical', 'high', 'medium', 'low'];

export interface IdempotencyExtension {
  header?: string;
  required?: boolean;
  /** As written, e.g. `24h`. */
  retention?: string;
  retentionMs?: number;
  conflict?: number;
  risk?: RiskLevel;
  justification?: string;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `24h`, `90m`, `7d`, `1500ms` or a number of seconds; undefined when unreadable. */
export function parseRetention(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value * 1000;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/i.exec(value);
  return m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : undefined;
}

const KNOWN = new Set(['header', 'required', 'retention', 'conflict', 'risk', 'justification']);

export function readExtension(raw: unknown, where: string): { value: IdempotencyExtension; problems: string[] } {
  const problems: string[] = [];
  if (raw === undefined) return { value: {}, problems };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { value: {}, problems: [`${where}: must be an object`] };
  }
  const r = raw as Record<string, unknown>;
  const value: IdempotencyExtension = {};
  for (const name of Object.keys(r)) if (!KNOWN.has(name)) problems.push(`${where}: unknown field ${name}`);
  if (r.header !== undefined) {
    if (typeof r.header === 'string' && r.header.trim()) value.header = r.header.trim();
    else problems.push(`${where}.header: must be a header name`);
  }
  if (r.required !== undefined) {
    if (typeof r.required === 'boolean') value.required = r.required;
    else problems.push(`${where}.required: must be true or false`);
  }
  if (r.retention !== undefined) {
    const ms = parseRetention(r.retention);
    if (ms === undefined) problems.push(`${where}.retention: must be a duration such as 24h`);
    else Object.assign(value, { retention: typeof r.retention === 'string' ? r.retention : JSON.stringify(r.retention), retentionMs: ms });
  }
  if (r.conflict !== undefined) {
    if (r.conflict === 409 || r.conflict === 422) value.conflict = r.conflict;
    else problems.push(`${where}.conflict: must be 409 or 422`);
  }
  if (r.risk !== undefined) {
    if (RISK_LEVELS.includes(r.risk as RiskLevel)) value.risk = r.risk as RiskLevel;
    else problems.push(`${where}.risk: must be one of ${RISK_LEVELS.join(', ')}`);
  }
  if (r.justification !== undefined) {
    if (typeof r.justification === 'string') value.justification = r.justification;
    else problems.push(`${where}.justification: must be text`);
  }
  return { value, problems };
}
