// Markdown governance report (GUIDE section 6): per endpoint the business-risk class, the
// governance checklist, the operational maturity level with its reasons and latency by outcome;
// then findings grouped by level with evidence, and every result. All report text is escaped.
import { md, mdCode, mdFence, printable } from '../escape.js';
import { evidenceLine, factsText, latencyRows, ms } from '../evidence.js';
import { governance, MATURITY_TEXT, type EndpointGovernance, type ItemStatus } from '../governance.js';
import type { Report, ResultRecord } from '../model.js';
import { executiveSummary } from '../executive.js';
import { findingGuide } from '../findings-guide.js';
import type { Reporter } from '../reporter.js';

const STATUS: Record<ItemStatus, string> = {
  pass: '✅ pass',
  violation: '❌ violation',
  deviation: '⚠️ deviation',
  observed: 'ℹ️ observed',
  error: '❗ error',
  skipped: '➖ skipped',
  'not measured': '➖ not measured',
};

const num = (n: number): string => n.toFixed(3);

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** First screen: what is at risk and what to do, in plain words. */
function executive(report: Report): string[] {
  const e = executiveSummary(report);
  const out = ['## Executive summary', '', `**${md(e.headline)}**`, ''];
  if (e.risks.length > 0) {
    out.push('Business risks exposed (most critical first):', '');
    for (const r of e.risks) out.push(`- **${mdCode(r.endpoint)}** (${md(r.risk)} risk, ${md(r.level)}): ${md(r.impact)}  \n  *What to do:* ${md(r.fix)}`);
    out.push('');
  }
  if (e.loadOnly.length > 0) out.push(`Load only, no contract checks (maturity not graded): ${e.loadOnly.map((n) => mdCode(n)).join(', ')}.`, '');
  return out;
}

function header(report: Report): string[] {
  const { summary } = report;
  const out = [`# idemaudit governance report: ${md(report.scenario.name)}`, ''];
  if (report.scenario.description) out.push(md(report.scenario.description), '');
  out.push(...executive(report));
  const rows: string[][] = [
    ['Verdict', `**${summary.verdict.toUpperCase()}** (fails on ${summary.failOn} and above)${summary.reason ? `: ${md(summary.reason)}` : ''}`],
    ['Target', mdCode(report.target, true)],
    ['Profile', mdCode(report.profile, true)],
    ['Seed', mdCode(report.seed, true)],
    ['Started', md(report.startedAt)],
    ['Finished', `${md(report.finishedAt)} (${(report.durationMs / 1000).toFixed(1)} s)`],
  ];
  if (report.scenario.file) rows.push(['Scenario file', mdCode(report.scenario.file, true)]);
  rows.push(['Tool', `idemaudit ${md(report.tool.version)}`]);
  out.push(table(['Run', ''], rows), '');
  const { counts, levels } = summary;
  const observations = report.results.filter((r) => r.level === 'observation' && (r.verdict === 'pass' || r.verdict === 'fail')).length;
  out.push(
    `**Results:** ${counts.pass} passed, ${counts.fail} failed (${levels.violation} violations, ${levels.deviation} deviations), ${counts.skip} skipped, ${(counts.inconclusive ?? 0) > 0 ? `${counts.inconclusive} inconclusive (root cause owned by another check), ` : ''}${counts.error} errors; ${observations} observation${observations === 1 ? '' : 's'} (facts that never fail a run).`,
    '',
  );
  if (report.exchangesDropped > 0) out.push(`_${report.exchangesDropped} exchanges beyond the report's bound were counted but not kept._`, '');
  return out;
}

function overview(govs: EndpointGovernance[]): string[] {
  const rows = govs.map((g) => [
    mdCode(g.name, true),
    g.info ? mdCode(`${g.info.method} ${g.info.path}`, true) : 'not declared',
    md(g.risk),
    g.info ? md(g.info.keyRequired) : 'not declared',
    g.maturity.ungraded ? md(g.maturity.ungraded) : `**${g.maturity.label}** ${MATURITY_TEXT[g.maturity.label]}`,
    String(g.failed.violation),
    String(g.failed.deviation),
  ]);
  return ['## Endpoints', '', table(['Endpoint', 'Method and path', 'Risk class', 'Key required', 'Maturity', 'Violations', 'Deviations'], rows), ''];
}

function endpointSection(report: Report, g: EndpointGovernance): string[] {
  const out = [`### ${mdCode(g.name)}${g.info ? ` ${md(g.info.method)} ${md(g.info.path)}` : ''}`, ''];
  out.push(`**Business-risk class:** ${md(g.risk)} (${md(g.riskText)})`, '');
  if (g.maturity.ungraded) out.push(`**Operational maturity:** ${md(g.maturity.ungraded)}`, '');
  else out.push(`**Operational maturity: ${g.maturity.label}** (${MATURITY_TEXT[g.maturity.label]})`, '');
  for (const r of g.maturity.reasons) out.push(`- ${md(r)}`);
  if (g.maturity.level < 4 && !g.maturity.ungraded) {
    out.push(`- Not L${g.maturity.level + 1} because:`);
    for (const m of g.maturity.missing) out.push(`  - ${md(m)}`);
  }
  out.push('', '**Governance checklist**', '');
  out.push(
    table(
      ['Item', 'Declared', 'Observed', 'Status'],
      g.checklist.map((c) => [`${md(c.item)} (${c.checks.map((id) => mdCode(id, true)).join(', ')})`, md(c.declared), md(c.observed), STATUS[c.status]]),
    ),
    '',
  );
  const lat = latencyRows(report).filter((row) => row.endpoint === g.name);
  out.push('**Latency by outcome (ms)**', '');
  if (lat.length === 0) out.push('No latency recorded.', '');
  else {
    out.push(
      table(
        ['Outcome', 'Count', 'p50', 'p90', 'p99', 'p99.9', 'max'],
        lat.map(({ outcome, s }) => [outcome, String(s.count), num(s.p50), num(s.p90), num(s.p99), num(s.p999), num(s.max)]),
      ),
      '',
    );
  }
  return out;
}

function finding(r: ResultRecord): string[] {
  const out = [`#### ${mdCode(r.check)} on ${mdCode(r.endpoint)} (${r.verdict})`, '', md(r.message), ''];
  out.push(`- Rule: ${md(r.reference)}`);
  const guide = r.verdict === 'fail' && r.level !== 'observation' ? findingGuide(r.check) : undefined;
  if (guide) out.push(`- Impact: ${md(guide.impact)}`, `- Fix: ${md(guide.fix)}`);
  const facts = factsText(r.facts);
  if (facts) out.push(`- Facts: ${mdCode(facts)}`);
  if (r.evidence.length > 0) {
    const total = r.evidence.reduce((sum, e) => sum + e.durationMs, 0);
    out.push(`- Evidence: ${r.evidence.length} exchange(s), ${ms(Math.round(total * 1000) / 1000)} in total`, '');
    out.push(mdFence(r.evidence.map((e) => printable(evidenceLine(e))).join('\n')));
  }
  if ((r.reproduce ?? []).length > 0) {
    out.push('- Reproduce (set `IDEMAUDIT_<HEADER>` for redacted headers):', '');
    out.push(mdFence((r.reproduce ?? []).map((c) => printable(c)).join('\n')));
  }
  out.push('');
  return out;
}

function findings(report: Report): string[] {
  const out = ['## Findings', ''];
  const groups: Array<[string, ResultRecord[]]> = [
    ['Violations', report.results.filter((r) => r.verdict === 'fail' && r.level === 'violation')],
    ['Deviations', report.results.filter((r) => r.verdict === 'fail' && r.level === 'deviation')],
    ['Observations', report.results.filter((r) => (r.verdict === 'fail' || r.verdict === 'pass') && r.level === 'observation')],
    ['Errors, inconclusive and skipped checks', report.results.filter((r) => r.verdict === 'error' || r.verdict === 'skip' || r.verdict === 'inconclusive')],
  ];
  for (const [title, rs] of groups) {
    out.push(`### ${title} (${rs.length})`, '');
    if (rs.length === 0) out.push('None.', '');
    for (const r of rs) out.push(...finding(r));
  }
  return out;
}

function allResults(report: Report): string[] {
  return [
    '## All results',
    '',
    table(
      ['Check', 'Endpoint', 'Verdict', 'Level', 'Message'],
      // The level grades failures and marks observations; beside a plain pass it would read as a finding.
      report.results.map((r) => [
        mdCode(r.check, true),
        mdCode(r.endpoint, true),
        r.verdict,
        r.verdict === 'pass' && r.level !== 'observation' ? '' : r.level,
        md(r.message),
      ]),
    ),
    '',
  ];
}

const MATURITY_RULES = [
  '## How maturity levels are derived',
  '',
  'Levels are cumulative and computed from this report alone. A check has *passed* when it has a passing result and no failed or errored one.',
  '',
  '- **L0** not established: a violation failed, or dedupe was never verified.',
  '- **L1** endpoint-level dedupe: no failed violation, and `concurrent-duplicates` or `sequential-replay` passed.',
  '- **L2** standard key policy and replay metrics: `missing-key`, `payload-mismatch` and `concurrent-duplicates` passed, and `sequential-replay` passed with a replay marker on the replay.',
  '- **L3** scoping, cross-service propagation and conflict analytics: `cross-tenant` passed (and `cross-endpoint` when it ran), `downstream-propagation`, `downstream-dedupe` and `downstream-failure` passed (a dependency declared under `downstream:`), and at least one in-flight duplicate was answered with a conflict.',
  '- **L4** rehearsed failure modes: `timeout-retry`, `lost-response` and `in-flight-recovery` passed.',
  '',
  'An endpoint that only had a load run is not graded: load measures duplicate executions under traffic, not the idempotency contract.',
  '',
];

export function renderMarkdown(report: Report): string {
  const govs = governance(report);
  const out = [...header(report), ...overview(govs)];
  for (const g of govs) out.push(...endpointSection(report, g));
  out.push(...findings(report), ...allResults(report), ...MATURITY_RULES);
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

export const markdownReporter: Reporter = {
  id: 'md',
  extension: 'md',
  description: 'Markdown governance report: checklist, business-risk class and maturity level per endpoint',
  render: (report) => renderMarkdown(report),
};
