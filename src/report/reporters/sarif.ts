// SARIF 2.1.0 as GitHub code scanning ingests it. Results exist only for failed checks (violation ->
// error, deviation -> warning, observation -> note): a clean run has no results and raises no alert.
// Each result points at the endpoint's entry in the scenario file (region.startLine/startColumn) and
// carries a partial fingerprint built from its stable identity (scenario, endpoint, check, variant),
// so an alert keeps its identity from run to run while its figures change. One rule per check id
// with short and full description, help (what it means, how to fix, the cited draft section or
// profile rule) and a helpUri to the README. Errors, skips and inconclusive results say nothing
// about the target: they are tool execution notifications, never alerts.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkText } from '../catalogue.js';
import { endpointInfo, evidenceLine } from '../evidence.js';
import { findingGuide, helpUri } from '../findings-guide.js';
import { resultIdentities, type ResultIdentity } from '../identity.js';
import type { Report, ResultRecord } from '../model.js';
import type { Reporter } from '../reporter.js';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<ResultRecord['level'], SarifLevel> = { violation: 'error', deviation: 'warning', observation: 'note' };

/** Relative paths stay relative (to the repository root in code scanning); absolute become file: URIs. */
export function artifactUri(file: string): string {
  if (path.isAbsolute(file) || path.win32.isAbsolute(file)) return pathToFileURL(file).href;
  return file
    .split(/[\\/]+/)
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

/** Stable across runs: no message, figure, level or timestamp goes in. */
export function fingerprintOf(report: Report, id: ResultIdentity): string {
  const where = report.scenario.file ? artifactUri(report.scenario.file) : report.scenario.name;
  return createHash('sha256')
    .update(['idemaudit', where, id.endpoint, id.check, id.variant ?? ''].join('\u0000'))
    .digest('hex');
}

const mdEscape = (s: string): string => s.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);

function rules(report: Report): Array<Record<string, unknown>> {
  const ids: string[] = [];
  for (const r of report.results) if (!ids.includes(r.check)) ids.push(r.check);
  return ids.map((id) => {
    const refs = [...new Set(report.results.filter((r) => r.check === id).map((r) => r.reference))];
    const text = checkText(id);
    const guide = findingGuide(id);
    const uri = helpUri(id);
    const what = guide?.impact ?? text;
    const fix = guide?.fix ?? 'See the README section for this check.';
    return {
      id,
      name: id.replace(/(^|-)(\w)/g, (_m, _d: string, c: string) => c.toUpperCase()),
      shortDescription: { text },
      fullDescription: { text: `${text}. ${what}` },
      defaultConfiguration: { level: 'warning' },
      helpUri: uri,
      help: {
        text: `What it means: ${what}\nHow to fix: ${fix}\nDraft section or profile rule: ${refs.join('; ')}\nMore: ${uri}`,
        markdown: [
          '**What it means**',
          '',
          mdEscape(what),
          '',
          '**How to fix**',
          '',
          mdEscape(fix),
          '',
          '**Draft section or profile rule**',
          '',
          ...refs.map((r) => `- ${mdEscape(r)}`),
          '',
          `[README: ${mdEscape(id)}](${uri})`,
        ].join('\n'),
      },
      properties: { tags: ['idempotency', 'reliability', `profile:${report.profile}`], precision: 'high', 'problem.severity': 'warning' },
    };
  });
}

function result(report: Report, r: ResultRecord, id: ResultIdentity, ruleIndex: number): Record<string, unknown> {
  const info = endpointInfo(report, r.endpoint);
  const logical = { name: r.endpoint, fullyQualifiedName: info ? `${info.method} ${info.path}` : r.endpoint, kind: 'resource' };
  const location: Record<string, unknown> = { logicalLocations: [logical] };
  if (report.scenario.file) {
    // Reports written before endpoint positions were recorded point at the file's first line.
    const at = info?.source ?? { line: 1, column: 1 };
    location.physicalLocation = {
      artifactLocation: { uri: artifactUri(report.scenario.file), index: 0 },
      region: { startLine: at.line, startColumn: at.column },
    };
  }
  const properties: Record<string, unknown> = { verdict: r.verdict, level: r.level, reference: r.reference, test: id.name };
  if (r.facts) properties.facts = r.facts;
  if (r.evidence.length > 0) properties.evidence = r.evidence.map(evidenceLine);
  if ((r.reproduce ?? []).length > 0) properties.reproduce = r.reproduce;
  if (info) properties.risk = info.risk;
  return {
    ruleId: r.check,
    ruleIndex,
    kind: 'fail',
    level: LEVEL[r.level],
    message: { text: `${r.endpoint}: ${r.message}` },
    locations: [location],
    partialFingerprints: { 'idemauditResult/v1': fingerprintOf(report, id) },
    properties,
  };
}

export function renderSarif(report: Report): Record<string, unknown> {
  const ruleList = rules(report);
  const ids = resultIdentities(report);
  const indexOf = (id: string): number => ruleList.findIndex((rule) => rule.id === id);
  const failed = report.results.map((r, i) => ({ r, id: ids[i]! })).filter(({ r }) => r.verdict === 'fail');
  const notified = report.results.filter((r) => r.verdict !== 'fail' && r.verdict !== 'pass');

  const invocation: Record<string, unknown> = {
    executionSuccessful: report.summary.verdict !== 'incomplete',
    startTimeUtc: report.startedAt,
    endTimeUtc: report.finishedAt,
    toolExecutionNotifications: notified.map((r) => ({
      level: r.verdict === 'error' ? 'error' : 'note',
      message: { text: `${r.check} [${r.endpoint}] ${r.verdict === 'error' ? 'errored' : r.verdict === 'skip' ? 'skipped' : r.verdict}: ${r.message}` },
      associatedRule: { id: r.check, index: indexOf(r.check) },
    })),
    properties: { verdict: report.summary.verdict, failOn: report.summary.failOn, ...(report.summary.reason ? { reason: report.summary.reason } : {}) },
  };

  const run: Record<string, unknown> = {
    tool: {
      driver: {
        name: 'idemaudit',
        version: report.tool.version,
        semanticVersion: report.tool.version,
        informationUri: helpUri('').replace(/#.*$/, ''),
        rules: ruleList,
      },
    },
    automationDetails: { id: `idemaudit/${report.scenario.name}/` },
    invocations: [invocation],
    ...(report.scenario.file ? { artifacts: [{ location: { uri: artifactUri(report.scenario.file) }, roles: ['analysisTarget'] }] } : {}),
    results: failed.map(({ r, id }) => result(report, r, id, indexOf(r.check))),
    properties: { scenario: report.scenario.name, target: report.target, profile: report.profile, seed: report.seed },
  };

  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}

export const sarifReporter: Reporter = {
  id: 'sarif',
  extension: 'sarif',
  description: 'SARIF 2.1.0 for GitHub code scanning: failed checks only, at the endpoint in the scenario file',
  render: (report) => `${JSON.stringify(renderSarif(report), null, 2)}\n`,
};
