// SARIF 2.1.0: valid against the OASIS schema; rules, levels and locations as documented.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactUri, renderSarif, sarifReporter } from '../../../src/report/reporters/sarif.js';
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

interface SarifResult { ruleId: string; ruleIndex: number; level: string; kind: string; message: { text: string }; locations: any[]; properties: any }

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

  it('has one rule per check id, citing the references as help', () => {
    const log = renderSarif(fixture('failing')) as any;
    const rules = log.runs[0].tool.driver.rules;
    expect(rules.map((r: any) => r.id)).toEqual(['concurrent-duplicates', 'sequential-replay', 'payload-mismatch', 'missing-key', 'cross-tenant', 'error-replay']);
    const cd = rules[0];
    expect(cd.help.text).toContain('§2.6 (idempotency enforcement)');
    expect(cd.help.text).toContain('§2.7 (concurrent request: 409 Conflict)');
  });

  it('maps levels, points at the scenario file and names the endpoint as a logical location', () => {
    const report = fixture('failing');
    const log = renderSarif(report) as any;
    const results: SarifResult[] = log.runs[0].results;
    // Failed results plus passing observations; errors and skips are notifications.
    expect(results).toHaveLength(report.summary.counts.fail + 2);
    const levelOf = (check: string, endpoint: string): string[] => results.filter((r) => r.ruleId === check && r.message.text.endsWith(`[${endpoint}]`)).map((r) => r.level);
    expect(levelOf('concurrent-duplicates', 'create-payment')).toEqual(['error']);
    expect(levelOf('concurrent-duplicates', 'create-refund')).toEqual(['warning']);
    expect(levelOf('error-replay', 'create-payment')).toEqual(['note']);
    for (const r of results) {
      expect(log.runs[0].tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      expect(r.locations[0].physicalLocation.artifactLocation.uri).toBe('scenarios/reference.yaml');
    }
    const loc = results[0]!.locations[0].logicalLocations[0];
    expect(loc).toEqual({ name: 'create-payment', fullyQualifiedName: 'POST /payments', kind: 'resource' });
    expect(log.runs[0].artifacts[0].location.uri).toBe('scenarios/reference.yaml');
    const notes = log.runs[0].invocations[0].toolExecutionNotifications;
    expect(notes.map((n: any) => n.level)).toEqual(['error', 'note']);
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
