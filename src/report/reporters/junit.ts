// JUnit XML in the shape Jenkins, GitLab and Surefire read (validated against the Jenkins junit XSD
// in test/fixtures/reports/junit-jenkins.xsd): <testsuites> with one <testsuite> per endpoint and
// one <testcase> per result. Test names hold only the check, the endpoint (classname) and a stable
// variant id, so CI test history sees the same tests run after run; measured figures go into the
// failure/skip message, <system-out> and the suite's <properties>.
// fail -> <failure>, error -> <error>, skip, inconclusive and any verdict this build does not know
// -> <skipped> with the reason: only a failed check may turn a CI test red.
import { xmlAttr, xmlText } from '../escape.js';
import { endpointInfo, endpointNames, evidenceLine, factsText, textFactKeys } from '../evidence.js';
import { resultIdentities, type ResultIdentity } from '../identity.js';
import type { Report, ResultRecord } from '../model.js';
import type { Reporter } from '../reporter.js';

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** JUnit's timestamp is an ISO 8601 date-time without zone or fraction (UTC here). */
const stamp = (report: Report): string => report.startedAt.slice(0, 19);

const caseMs = (r: ResultRecord): number => r.evidence.reduce((sum, e) => sum + e.durationMs, 0);

type CaseKind = 'pass' | 'failure' | 'error' | 'skipped';

/** How CI should count a verdict; unknown verdicts (a newer report, `inconclusive`) are skips. */
export function caseKind(verdict: string): CaseKind {
  if (verdict === 'pass') return 'pass';
  if (verdict === 'fail') return 'failure';
  if (verdict === 'error') return 'error';
  return 'skipped';
}

function detail(r: ResultRecord): string {
  const lines = [`${r.verdict} (${r.level}): ${r.message}`, `rule: ${r.reference}`];
  const facts = factsText(r.facts);
  if (facts) lines.push(`facts: ${facts}`);
  if (r.evidence.length > 0) lines.push('evidence:', ...r.evidence.map((e) => `  ${evidenceLine(e)}`));
  if ((r.reproduce ?? []).length > 0) lines.push('reproduce:', ...(r.reproduce ?? []).map((c) => `  $ ${c}`));
  return lines.join('\n');
}

function testcase(r: ResultRecord, id: ResultIdentity, suite: string): string {
  const open = `    <testcase classname="${xmlAttr(suite)}" name="${xmlAttr(id.name)}" time="${seconds(caseMs(r))}">`;
  const out = `      <system-out>${xmlText(detail(r))}</system-out>`;
  const kind = caseKind(r.verdict);
  const reason = r.verdict === 'skip' || kind !== 'skipped' ? r.message : `${r.verdict}: ${r.message}`;
  const outcome =
    kind === 'pass'
      ? []
      : kind === 'skipped'
        ? [`      <skipped message="${xmlAttr(reason)}"/>`]
        : [`      <${kind} message="${xmlAttr(r.message)}" type="${xmlAttr(r.level)}">${xmlText(detail(r))}</${kind}>`];
  return [open, ...outcome, out, '    </testcase>'].join('\n');
}

const prop = (name: string, value: string): string => `      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`;

function properties(report: Report, endpoint: string, cases: Array<{ r: ResultRecord; id: ResultIdentity }>): string {
  const info = endpointInfo(report, endpoint);
  const props: Array<[string, string]> = [
    ['scenario', report.scenario.name],
    ...(report.scenario.file ? [['scenario.file', report.scenario.file] as [string, string]] : []),
    ...(info
      ? ([
          ['endpoint', `${info.method} ${info.path}`],
          ['risk', info.risk],
          ['keyRequired', info.keyRequired],
        ] as Array<[string, string]>)
      : []),
    ['target', report.target],
    ['profile', report.profile],
    ['seed', report.seed],
    ['tool.version', report.tool.version],
    ['verdict', report.summary.verdict],
    ['failOn', report.summary.failOn],
  ];
  // Figures per test, as `<test name>.<fact>`: CI tools can chart them without renaming tests.
  for (const { r, id } of cases) {
    for (const k of textFactKeys(r.facts)) {
      const v = r.facts![k];
      props.push([`${id.name}.${k}`, typeof v === 'string' ? v : (JSON.stringify(v) ?? 'null')]);
    }
  }
  return ['    <properties>', ...props.map(([n, v]) => prop(n, v)), '    </properties>'].join('\n');
}

export function renderJunit(report: Report): string {
  const ids = resultIdentities(report);
  const cases = report.results.map((r, i) => ({ r, id: ids[i]! }));
  const count = (cs: typeof cases, kind: CaseKind): number => cs.filter((c) => caseKind(c.r.verdict) === kind).length;

  const suites = endpointNames(report).flatMap((endpoint) => {
    const mine = cases.filter((c) => c.r.endpoint === endpoint);
    if (mine.length === 0) return [];
    const suite = `${report.scenario.name}.${endpoint}`;
    const time = mine.reduce((sum, c) => sum + caseMs(c.r), 0);
    return [
      [
        `  <testsuite name="${xmlAttr(suite)}" tests="${mine.length}" failures="${count(mine, 'failure')}" errors="${count(mine, 'error')}" skipped="${count(mine, 'skipped')}" time="${seconds(time)}" timestamp="${xmlAttr(stamp(report))}">`,
        properties(report, endpoint, mine),
        ...mine.map((c) => testcase(c.r, c.id, suite)),
        '  </testsuite>',
      ].join('\n'),
    ];
  });

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttr(`idemaudit ${report.scenario.name}`)}" tests="${cases.length}" failures="${count(cases, 'failure')}" errors="${count(cases, 'error')}" time="${seconds(report.durationMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

export const junitReporter: Reporter = {
  id: 'junit',
  extension: 'junit.xml',
  description: 'JUnit XML for CI test tabs: one suite per endpoint, one test per check (stable names)',
  render: (report) => renderJunit(report),
};
