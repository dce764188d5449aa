// The executive summary a manager reads first: how many endpoints, which business risks the audit
// exposed in plain words (from the findings guide), and what was not audited. Pure: report in,
// summary out; the Markdown and HTML reporters print it.
import { checkText } from './catalogue.js';
import { endpointInfo, endpointNames } from './evidence.js';
import { findingGuide } from './findings-guide.js';
import type { Level } from '../core/verdict.js';
import type { Report } from './model.js';

export interface ExposedRisk {
  endpoint: string;
  /** The endpoint's business-risk class (critical, high, medium, low) or 'unclassified'. */
  risk: string;
  check: string;
  level: Level;
  /** What can go wrong for the business, in plain words. */
  impact: string;
  fix: string;
}

export interface ExecutiveSummary {
  headline: string;
  risks: ExposedRisk[];
  /** Endpoint names nothing was audited on, or only load (which grades no idempotency contract). */
  loadOnly: string[];
}

const RISK_ORDER: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const LEVEL_ORDER: Record<string, number> = { violation: 0, deviation: 1 };

export function executiveSummary(report: Report): ExecutiveSummary {
  const names = endpointNames(report);
  const risks: ExposedRisk[] = [];
  for (const r of report.results) {
    if (r.verdict !== 'fail' || r.level === 'observation') continue;
    if (risks.some((x) => x.endpoint === r.endpoint && x.check === r.check)) continue;
    const guide = findingGuide(r.check);
    risks.push({
      endpoint: r.endpoint,
      risk: endpointInfo(report, r.endpoint)?.risk ?? 'unclassified',
      check: r.check,
      level: r.level,
      impact: guide?.impact ?? `${checkText(r.check)}: this does not hold (${r.message}).`,
      fix: guide?.fix ?? 'See the finding below and the README section for this check.',
    });
  }
  risks.sort((a, b) => (RISK_ORDER[a.risk] ?? 9) - (RISK_ORDER[b.risk] ?? 9) || (LEVEL_ORDER[a.level] ?? 9) - (LEVEL_ORDER[b.level] ?? 9));
  const loadOnly = names.filter((n) => {
    const mine = report.results.filter((r) => r.endpoint === n);
    return mine.length > 0 && mine.every((r) => r.check === 'load');
  });
  const exposedOn = new Set(risks.map((r) => r.endpoint));
  const critical = [...exposedOn].filter((n) => endpointInfo(report, n)?.risk === 'critical').length;
  const headline =
    risks.length === 0
      ? `${names.length} endpoint${names.length === 1 ? '' : 's'} audited: no business risk exposed by the checks that ran${report.summary.counts.error > 0 ? `, but ${report.summary.counts.error} check(s) could not judge` : ''}.`
      : `${names.length} endpoint${names.length === 1 ? '' : 's'} audited: ${risks.length} business risk${risks.length === 1 ? '' : 's'} exposed on ${exposedOn.size} endpoint${exposedOn.size === 1 ? '' : 's'}${critical > 0 ? ` (${critical} of them critical)` : ''}.`;
  return { headline, risks, loadOnly };
}
