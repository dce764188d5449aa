// Business-risk guess for a mutation (GUIDE section 6: critical = financial transactions and
// inventory reservation, high = irreversible workflow actions, medium = profile or preference
// writes, low = analytics and metadata). Rules are data: the first match wins, user rules go
// before the defaults, and an explicit override (x-idempotency.risk or --risk-override) beats both.
import type { RiskLevel } from './openapi/extension.js';
import { RISK_LEVELS } from './openapi/extension.js';

export interface RiskRule {
  risk: RiskLevel;
  /** Case-insensitive regular expression tested against the path, the operation id and each tag. */
  match: string;
}

export const DEFAULT_RISK_RULES: readonly RiskRule[] = [
  {
    risk: 'critical',
    match: 'payment|refund|order|transfer|charge|payout|withdraw|deposit|invoice|checkout|reservation|reserve|booking|ledger|transaction|capture',
  },
  { risk: 'high', match: 'cancel|approve|reject|submit|ship|fulfil|confirm|close|void|archive|delete|revoke|provision|subscription|contract' },
  { risk: 'low', match: 'analytic|event|metric|telemetry|tracking|track|log|audit|tag|label|metadata' },
  { risk: 'medium', match: 'profile|preference|setting|account|user|address|contact|avatar|notification' },
];

/** When no rule matches. */
export const FALLBACK_RISK: RiskLevel = 'medium';

export interface RiskSubject {
  method: string;
  path: string;
  operationId?: string;
  tags: string[];
}

export interface RiskGuess {
  risk: RiskLevel;
  /** Why, for people: `path: "payment"`, `x-idempotency.risk`, `--risk-override`, `no rule matched`. */
  reason: string;
}

/** `createPayment=critical` or `POST /payments=critical` (--risk-override). */
export interface RiskOverride {
  operation: string;
  risk: RiskLevel;
}

export function parseRiskOverride(text: string): RiskOverride | string {
  const at = text.lastIndexOf('=');
  const operation = text.slice(0, at).trim();
  const risk = text
    .slice(at + 1)
    .trim()
    .toLowerCase();
  if (at <= 0 || !operation) return `--risk-override ${text}: expected <operationId or "METHOD /path">=<level>`;
  if (!RISK_LEVELS.includes(risk as RiskLevel)) return `--risk-override ${text}: level must be one of ${RISK_LEVELS.join(', ')}`;
  return { operation, risk: risk as RiskLevel };
}

/** Validated rules from user data (a YAML/JSON list); the problems name each bad entry. */
export function parseRiskRules(data: unknown): { rules: RiskRule[]; problems: string[] } {
  const problems: string[] = [];
  const rules: RiskRule[] = [];
  const list = Array.isArray(data) ? data : (data as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) return { rules, problems: ['risk rules: expected a list of { risk, match }'] };
  list.forEach((entry, i) => {
    const e = entry as Partial<RiskRule> | null;
    if (!e || !RISK_LEVELS.includes(e.risk as RiskLevel)) return void problems.push(`risk rules[${i}].risk: must be one of ${RISK_LEVELS.join(', ')}`);
    if (typeof e.match !== 'string' || !e.match) return void problems.push(`risk rules[${i}].match: must be a regular expression`);
    try {
      new RegExp(e.match, 'i');
    } catch {
      return void problems.push(`risk rules[${i}].match: not a valid regular expression`);
    }
    rules.push({ risk: e.risk as RiskLevel, match: e.match });
  });
  return { rules, problems };
}

function overrideFor(subject: RiskSubject, overrides: readonly RiskOverride[]): RiskOverride | undefined {
  const route = `${subject.method.toUpperCase()} ${subject.path}`;
  return overrides.find((o) => o.operation === subject.operationId || o.operation.replace(/\s+/g, ' ').toUpperCase() === route.toUpperCase());
}

export function guessRisk(
  subject: RiskSubject,
  opts: { rules?: readonly RiskRule[]; overrides?: readonly RiskOverride[]; declared?: RiskLevel } = {},
): RiskGuess {
  const override = overrideFor(subject, opts.overrides ?? []);
  if (override) return { risk: override.risk, reason: '--risk-override' };
  if (opts.declared) return { risk: opts.declared, reason: 'x-idempotency.risk' };
  for (const rule of [...(opts.rules ?? []), ...DEFAULT_RISK_RULES]) {
    const re = new RegExp(rule.match, 'i');
    // Path parameters ({paymentId}) say nothing about what the operation does.
    const path = subject.path.replace(/\{[^}]*\}/g, '');
    const hit = re.exec(path);
    if (hit) return { risk: rule.risk, reason: `path: "${hit[0].toLowerCase()}"` };
    const idHit = subject.operationId ? re.exec(subject.operationId) : null;
    if (idHit) return { risk: rule.risk, reason: `operationId: "${idHit[0].toLowerCase()}"` };
    const tag = subject.tags.find((t) => re.test(t));
    if (tag !== undefined) return { risk: rule.risk, reason: `tag: "${tag}"` };
  }
  return { risk: FALLBACK_RISK, reason: 'no rule matched' };
}
