// JUnit XML in the shape Jenkins, GitLab and Surefire read (the Jenkins junit.xsd attribute sets):
// <testsuites> with one <testsuite> per check id, one <testcase> per (check, endpoint) result.
// fail -> <failure>, error -> <error>, skip -> <skipped>. A testcase's time is the time spent in the
// exchanges that prove it; the root's time is the run's duration.
import { xmlAttr, xmlText } from '../escape.js';
import { evidenceLine, excerpt, factsText } from '../evidence.js';
import type { Report, ResultRecord } from '../model.js';
import type { Reporter } from '../reporter.js';

const SHORT_MESSAGE = 100;

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** JUnit's timestamp is an ISO 8601 date-time without zone or fraction (UTC here). */
const stamp = (report: Report): string => report.startedAt.slice(0, 19);

const caseMs = (r: ResultRecord): number => r.evidence.reduce((sum, e) => sum + e.durationMs, 0);

function detail(r: ResultRecord): string {
  const lines = [`${r.level}: ${r.message}`, `rule: ${r.reference}`];
  const facts = factsText(r.facts);
  if (facts) lines.push(`facts: ${facts}`);
  if (r.evidence.length > 0) lines.push('evidence:', ...r.evidence.map((e) => `  ${evidenceLine(e)}`));
  if ((r.reproduce ?? []).length > 0) lines.push('reproduce:', ...(r.reproduce ?? []).map((c) => `  $ ${c}`));
  return lines.join('\n');
}

function testcase(r: ResultRecord): string {
  const open = `    <testcase classname="${xmlAttr(r.check)}" name="${xmlAttr(`${r.endpoint}: ${excerpt(r.message, SHORT_MESSAGE)}`)}" time="${seconds(caseMs(r))}"`;
  switch (r.verdict) {
    case 'pass':
      return `${open}/>`;
    case 'skip':
      return `${open}>\n      <skipped message="${xmlAttr(r.message)}"/>\n    </testcase>`;
    // Not judged because another check owns the root cause: skipped, never a failure.
    case 'inconclusive':
      return `${open}>\n      <skipped message="${xmlAttr(`inconclusive: ${r.message}`)}"/>\n    </testcase>`;
    case 'fail':
      return `${open}>\n      <failure message="${xmlAttr(r.message)}" type="${xmlAttr(r.level)}">${xmlText(detail(r))}</failure>\n    </testcase>`;
    case 'error':
      return `${open}>\n      <error message="${xmlAttr(r.message)}" type="${xmlAttr(r.level)}">${xmlText(detail(r))}</error>\n    </testcase>`;
  }
}

function properties(report: Report): string {
  const props: Array<[string, string]> = [
    ['scenario', report.scenario.name],
    ...(report.scenario.file ? [['scenario.file', report.scenario.file] as [string, string]] : []),
    ['target', report.target],
    ['profile', report.profile],
    ['seed', report.seed],
    ['tool.version', report.tool.version],
    ['verdict', report.summary.verdict],
    ['failOn', report.summary.failOn],
  ];
  return ['    <properties>', ...props.map(([name, value]) => `      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`), '    </properties>'].join('\n');
}

export function renderJunit(report: Report): string {
  const checks: string[] = [];
  for (const r of report.results) if (!checks.includes(r.check)) checks.push(r.check);
  const count = (rs: ResultRecord[], v: ResultRecord['verdict']): number => rs.filter((r) => r.verdict === v).length;

  const suites = checks.map((check) => {
    const rs = report.results.filter((r) => r.check === check);
    const time = rs.reduce((sum, r) => sum + caseMs(r), 0);
    return [
      `  <testsuite name="${xmlAttr(check)}" tests="${rs.length}" failures="${count(rs, 'fail')}" errors="${count(rs, 'error')}" skipped="${count(rs, 'skip') + count(rs, 'inconclusive')}" time="${seconds(time)}" timestamp="${xmlAttr(stamp(report))}" hostname="${xmlAttr(report.target)}">`,
      properties(report),
      ...rs.map(testcase),
      '  </testsuite>',
    ].join('\n');
  });

  const all = report.results;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttr(`idemaudit ${report.scenario.name}`)}" tests="${all.length}" failures="${count(all, 'fail')}" errors="${count(all, 'error')}" time="${seconds(report.durationMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

export const junitReporter: Reporter = {
  id: 'junit',
  extension: 'junit.xml',
  description: 'JUnit XML for CI test tabs: one testcase per check and endpoint result',
  render: (report) => renderJunit(report),
};
