// SARIF 2.1.0 for code-scanning UIs. One rule per check id (help cites the draft section or profile
// rule from the results' `reference`); one result per failed result (violation -> error,
// deviation -> warning, observation -> note) plus passing observations as notes (facts for
// governance). The artifact is the scenario file; the endpoint is a logical location. Errors and
// skips become tool execution notifications: they say nothing about the target.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkText } from '../catalogue.js';
import { endpointInfo, evidenceLine } from '../evidence.js';
import type { Report, ResultRecord } from '../model.js';
import type { Reporter } from '../reporter.js';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<ResultRecord['level'], SarifLevel> = { violation: 'error', deviation: 'warning', observation: 'note' };

/** Relative paths stay relative (to the repository root in code scanning); absolute become file: URIs. */
export function artifactUri(file: string): string {
  if (path.isAbsolute(file) || path.win32.isAbsolute(file)) return pathToFileURL(file).href;
  return file.split(/[\\/]+/).map((seg) => encodeURIComponent(seg)).join('/');
}

const fingerprint = (r: ResultRecord): string =>
  createHash('sha256').update(`${r.check}\u0000${r.endpoint}\u0000${r.level}\u0000${r.reference}`).digest('hex');

function rules(report: Report): Array<Record<string, unknown>> {
  const ids: string[] = [];
  for (const r of report.results) if (!ids.includes(r.check)) ids.push(r.check);
  return ids.map((id) => {
    const refs = [...new Set(report.results.filter((r) => r.check === id && r.verdict !== 'skip').map((r) => r.reference))];
    const refsOrAll = refs.length > 0 ? refs : [...new Set(report.results.filter((r) => r.check === id).map((r) => r.reference))];
    const text = checkText(id);
    return {
      id,
      name: id.replace(/(^|-)(\w)/g, (_m, _d: string, c: string) => c.toUpperCase()),
      shortDescription: { text },
      fullDescription: { text: `${text}. Graded under profile ${report.profile}.` },
      help: {
        text: `Rule: ${refsOrAll.join('; ')}`,
        markdown: `**Rule**\n\n${refsOrAll.map((r) => `- ${r.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`)}`).join('\n')}`,
      },
      properties: { tags: ['idempotency', `profile:${report.profile}`] },
    };
  });
}

function result(report: Report, r: ResultRecord, ruleIndex: number): Record<string, unknown> {
  const info = endpointInfo(report, r.endpoint);
  const logical = {
    name: r.endpoint,
    fullyQualifiedName: info ? `${info.method} ${info.path}` : r.endpoint,
    kind: 'resource',
  };
  const location: Record<string, unknown> = { logicalLocations: [logical] };
  if (report.scenario.file) location.physicalLocation = { artifactLocation: { uri: artifactUri(report.scenario.file), index: 0 } };
  const properties: Record<string, unknown> = { verdict: r.verdict, level: r.level, reference: r.reference };
  if (r.facts) properties.facts = r.facts;
  if (r.evidence.length > 0) properties.evidence = r.evidence.map(evidenceLine);
  if ((r.reproduce ?? []).length > 0) properties.reproduce = r.reproduce;
  if (info) properties.risk = info.risk;
  return {
    ruleId: r.check,
    ruleIndex,
    kind: 'fail',
    level: LEVEL[r.level],
    message: { text: `${r.message} [${r.endpoint}]` },
    locations: [location],
    partialFingerprints: { 'idemaudit/v1': fingerprint(r) },
    properties,
  };
}

export function renderSarif(report: Report): Record<string, unknown> {
  const ruleList = rules(report);
  const indexOf = (id: string): number => ruleList.findIndex((rule) => rule.id === id);
  const reported = report.results.filter((r) => r.verdict === 'fail' || (r.verdict === 'pass' && r.level === 'observation'));
  const notified = report.results.filter((r) => r.verdict === 'error' || r.verdict === 'skip' || r.verdict === 'inconclusive');

  const invocation: Record<string, unknown> = {
    executionSuccessful: report.summary.verdict !== 'incomplete',
    startTimeUtc: report.startedAt,
    endTimeUtc: report.finishedAt,
    toolExecutionNotifications: notified.map((r) => ({
      level: r.verdict === 'error' ? 'error' : 'note',
      message: { text: `${r.check} [${r.endpoint}] ${r.verdict === 'error' ? 'errored' : r.verdict === 'inconclusive' ? 'inconclusive' : 'skipped'}: ${r.message}` },
      associatedRule: { id: r.check, index: indexOf(r.check) },
    })),
    properties: { verdict: report.summary.verdict, failOn: report.summary.failOn, ...(report.summary.reason ? { reason: report.summary.reason } : {}) },
  };

  const run: Record<string, unknown> = {
    tool: { driver: { name: 'idemaudit', version: report.tool.version, semanticVersion: report.tool.version, rules: ruleList } },
    automationDetails: { id: `idemaudit/${report.scenario.name}/` },
    invocations: [invocation],
    ...(report.scenario.file ? { artifacts: [{ location: { uri: artifactUri(report.scenario.file) }, roles: ['analysisTarget'] }] } : {}),
    results: reported.map((r) => result(report, r, indexOf(r.check))),
    properties: { scenario: report.scenario.name, target: report.target, profile: report.profile, seed: report.seed },
  };

  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}

export const sarifReporter: Reporter = {
  id: 'sarif',
  extension: 'sarif',
  description: 'SARIF 2.1.0 for code scanning: one rule per check, endpoints as logical locations',
  render: (report) => `${JSON.stringify(renderSarif(report), null, 2)}\n`,
};
