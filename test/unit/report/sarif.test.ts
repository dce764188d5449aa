// SARIF 2.1.0: valid against the OASIS schema; rules, levels and locations as documented.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactUri, renderSarif, sarifReporter } from '../../../src/report/reporters/sarif.js';
import { githubIngestionProblems } from './github-sarif-rules.js';
import { FIXTURES, fixture, type FixtureName } from './helpers.js';

let validate: ValidateFunction;

beforeAll(() => {
  const schema = JSON.parse(readFileSync(path.join(FIXTURES, 'sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  validate = ajv.compile(schema);
});

function expectValid(log: unknown): void {
  const ok = validate(log);
  expect(ok, JSON.stringify(validate.errors, null, 2)).toBe(true);
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  kind: string;
  message: { text: string };
  locations: any[];
  properties: any;
}

describe('sarif reporter', () => {
  for (const name of ['passing', 'failing', 'hostile'] as FixtureName[]) {
    it(`validates against the SARIF 2.1.0 schema (${name})`, () => {
      expectValid(JSON.parse(sarifReporter.render(fixture(name), { color: false })));
    });
  }

  it('the schema check is real: a broken log is rejected', () => {
    const log = renderSarif(fixture('failing')) as any;
    log.runs[0].results[0].level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  for (const name of ['passing', 'failing', 'hostile'] as FixtureName[]) {
    it(`follows GitHub code scanning's ingestion rules (${name})`, () => {
      expect(githubIngestionProblems(renderSarif(fixture(name)))).toEqual([]);
    });
  }

  it('the GitHub rules check is real: a result without a line, a pass alert and a missing help are caught', () => {
    const log = renderSarif(fixture('failing')) as any;
    delete log.runs[0].results[0].locations[0].physicalLocation.region;
    log.runs[0].results[1].kind = 'pass';
    delete log.runs[0].tool.driver.rules[0].help.markdown;
    const problems = githubIngestionProblems(log);
    expect(problems.some((p) => p.includes('region.startLine'))).toBe(true);
    expect(problems.some((p) => p.includes('kind pass'))).toBe(true);
    expect(problems.some((p) => p.includes('help.markdown'))).toBe(true);
  });

  it('a passing run raises no alert', () => {
    const log = renderSarif(fixture('passing')) as any;
    expect(log.runs[0].results).toEqual([]);
  });

  it('has one rule per check id with descriptions, help (meaning, fix, draft section) and a README link', () => {
    const log = renderSarif(fixture('failing')) as any;
    const rules = log.runs[0].tool.driver.rules;
    expect(rules.map((r: any) => r.id)).toEqual([
      'concurrent-duplicates',
      'sequential-replay',
      'payload-mismatch',
      'missing-key',
      'cross-tenant',
      'error-replay',
    ]);
    const cd = rules[0];
    expect(cd.shortDescription.text).toContain('Concurrent copies');
    expect(cd.fullDescription.text).toContain('charged twice');
    expect(cd.help.markdown).toContain('**How to fix**');
    expect(cd.help.markdown).toContain('SET key NX');
    expect(cd.help.text).toContain('§2.6 (idempotency enforcement)');
    expect(cd.help.text).toContain('§2.7 (concurrent request: 409 Conflict)');
    expect(cd.helpUri).toMatch(/^https:\/\/.*#concurrent-duplicates$/);
    for (const r of rules) expect(r.shortDescription.text).not.toBe(r.id);
  });

  it('reports failed results only, at the endpoint line of the scenario, with levels by severity', () => {
    const report = fixture('failing');
    const log = renderSarif(report) as any;
    const results: SarifResult[] = log.runs[0].results;
    expect(results).toHaveLength(report.summary.counts.fail);
    expect(results.every((r) => r.kind === 'fail')).toBe(true);
    const levelOf = (check: string, endpoint: string): string[] =>
      results.filter((r) => r.ruleId === check && r.message.text.startsWith(`${endpoint}:`)).map((r) => r.level);
    expect(levelOf('concurrent-duplicates', 'create-payment')).toEqual(['error']);
    expect(levelOf('concurrent-duplicates', 'create-refund')).toEqual(['warning']);
    expect(levelOf('error-replay', 'create-payment')).toEqual([]);
    for (const r of results) {
      expect(log.runs[0].tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      const phys = r.locations[0].physicalLocation;
      expect(phys.artifactLocation.uri).toBe('scenarios/reference.yaml');
      expect(phys.region).toEqual(r.message.text.startsWith('create-payment:') ? { startLine: 22, startColumn: 5 } : { startLine: 36, startColumn: 5 });
    }
    const loc = results[0]!.locations[0].logicalLocations[0];
    expect(loc).toEqual({ name: 'create-payment', fullyQualifiedName: 'POST /payments', kind: 'resource' });
    const notes = log.runs[0].invocations[0].toolExecutionNotifications;
    expect(notes.map((n: any) => n.level)).toEqual(['error', 'note']);
  });

  it('partial fingerprints are unique per result and stable when figures change between runs', () => {
    const first = renderSarif(fixture('failing')) as any;
    const changed = fixture('failing');
    for (const r of changed.results) r.message = r.message.replace(/\d+/g, (n) => String(Number(n) + 3));
    const second = renderSarif(changed) as any;
    const fps = (log: any): string[] => log.runs[0].results.map((r: any) => r.partialFingerprints['idemauditResult/v1']);
    expect(new Set(fps(first)).size).toBe(fps(first).length);
    expect(fps(second)).toEqual(fps(first));
    expect(second.runs[0].results[0].message.text).not.toBe(first.runs[0].results[0].message.text);
  });

  it('inconclusive and unknown verdicts become notifications, not alerts', () => {
    const report = fixture('passing');
    (report.results[0] as { verdict: string }).verdict = 'inconclusive';
    const log = renderSarif(report) as any;
    expectValid(log);
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].invocations[0].toolExecutionNotifications.map((n: any) => n.message.text)[0]).toContain('inconclusive');
  });

  it('without a scenario file only the logical location remains, still valid', () => {
    const report = fixture('failing');
    delete report.scenario.file;
    const log = renderSarif(report) as any;
    expectValid(log);
    expect(log.runs[0].artifacts).toBeUndefined();
    expect(log.runs[0].results[0].locations[0].physicalLocation).toBeUndefined();
  });

  it('makes artifact URIs valid references', () => {
    expect(artifactUri('scenarios/hostile scenario.yaml')).toBe('scenarios/hostile%20scenario.yaml');
    expect(artifactUri('scenarios\\win.yaml')).toBe('scenarios/win.yaml');
    expect(artifactUri('/abs/s.yaml')).toBe('file:///abs/s.yaml');
  });
});

describe('rule help links', () => {
  it('every check with a guide has its README section, so helpUri anchors resolve', async () => {
    const { GUIDED_CHECKS, helpUri } = await import('../../../src/report/findings-guide.js');
    const readme = readFileSync(path.join(FIXTURES, '../../../README.md'), 'utf8');
    for (const id of GUIDED_CHECKS) {
      expect(readme).toContain(`\n### ${id}\n`);
      expect(helpUri(id).endsWith(`#${id}`)).toBe(true);
    }
    expect(readme).toContain('\n## Findings and fixes\n');
  });
});
