// JUnit XML: well-formed, in the Jenkins/Surefire shape, escaped (control characters included).
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../../src/report/reporters/junit.js';
import { fixture } from './helpers.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', textNodeName: '#text', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name), parseAttributeValue: false, processEntities: true });

type Attrs = Record<string, string>;
interface Case extends Attrs { failure?: any; error?: any; skipped?: any }

function parse(xml: string): { root: Attrs & { testsuite: Array<Attrs & { testcase: Case[]; properties: { property: Attrs[] } }> } } {
  const valid = XMLValidator.validate(xml);
  expect(valid, JSON.stringify(valid)).toBe(true);
  return { root: parser.parse(xml).testsuites };
}

// Attribute sets of the commonly accepted Jenkins junit.xsd.
const ALLOWED = {
  testsuites: ['name', 'time', 'tests', 'failures', 'disabled', 'errors'],
  testsuite: ['name', 'tests', 'failures', 'errors', 'group', 'time', 'disabled', 'skipped', 'timestamp', 'hostname', 'id', 'package', 'file', 'log', 'url', 'version'],
  testcase: ['name', 'classname', 'assertions', 'time', 'status', 'file', 'line'],
};
const attrsOf = (node: Record<string, unknown>): string[] => Object.entries(node).filter(([, v]) => typeof v === 'string').map(([k]) => k).filter((k) => k !== '#text');

describe('junit reporter', () => {
  it('has one testcase per result, grouped in one suite per check, with consistent counts', () => {
    const report = fixture('failing');
    const { root } = parse(renderJunit(report));
    expect(attrsOf(root).every((a) => ALLOWED.testsuites.includes(a))).toBe(true);
    expect(Number(root.tests)).toBe(report.results.length);
    expect(Number(root.failures)).toBe(report.summary.counts.fail);
    expect(Number(root.errors)).toBe(report.summary.counts.error);
    expect(root.time).toBe('6.412');
    const suites = root.testsuite;
    expect(suites.map((s) => s.name)).toEqual(['concurrent-duplicates', 'sequential-replay', 'payload-mismatch', 'missing-key', 'cross-tenant', 'error-replay']);
    let cases = 0;
    for (const s of suites) {
      expect(attrsOf(s).every((a) => ALLOWED.testsuite.includes(a))).toBe(true);
      expect(Number(s.tests)).toBe(s.testcase.length);
      expect(Number(s.failures)).toBe(s.testcase.filter((c) => c.failure !== undefined).length);
      expect(Number(s.errors)).toBe(s.testcase.filter((c) => c.error !== undefined).length);
      expect(Number(s.skipped)).toBe(s.testcase.filter((c) => c.skipped !== undefined).length);
      expect(s.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      expect(s.properties.property.find((p) => p.name === 'seed')?.value).toBe(report.seed);
      for (const c of s.testcase) {
        expect(attrsOf(c).every((a) => ALLOWED.testcase.includes(a))).toBe(true);
        expect(c.classname).toBe(s.name);
        expect(c.time).toMatch(/^\d+\.\d{3}$/);
      }
      cases += s.testcase.length;
    }
    expect(cases).toBe(report.results.length);
  });

  it('puts message, level and evidence (method, url, status, key, timing, body) into failures', () => {
    const { root } = parse(renderJunit(fixture('failing')));
    const c = root.testsuite[0]!.testcase[0]!;
    expect(c.name).toBe('create-payment: key executed 3 times for 8 concurrent copies (201×3, 409×5)');
    expect(c.failure.type).toBe('violation');
    expect(c.failure.message).toContain('key executed 3 times');
    const text: string = c.failure['#text'];
    expect(text).toContain('rule: draft-ietf-httpapi-idempotency-key-header-07 §2.6');
    expect(text).toContain('#1 copy 1/8: POST http://127.0.0.1:4001/payments key=k-p-c1 tenant=alice -> 201 (50.7 ms) body {"id":"pay_0001"');
  });

  it('maps error to <error> and skip to <skipped>', () => {
    const { root } = parse(renderJunit(fixture('failing')));
    const all = root.testsuite.flatMap((s) => s.testcase);
    expect(all.filter((c) => c.error !== undefined).map((c) => c.name)).toEqual(["create-refund: the first tenant's request failed (timeout after 5000 ms)"]);
    expect(all.filter((c) => c.skipped !== undefined).map((c) => c.skipped.message)).toEqual(['declare `errorTrigger` on the endpoint to provoke a 5xx']);
  });

  it('a passing run has no failures', () => {
    const { root } = parse(renderJunit(fixture('passing')));
    expect(root.failures).toBe('0');
    expect(root.testsuite.flatMap((s) => s.testcase).every((c) => c.failure === undefined && c.error === undefined)).toBe(true);
  });

  it('escapes markup and replaces characters XML 1.0 forbids', () => {
    const xml = renderJunit(fixture('hostile'));
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    const { root } = parse(xml);
    const c = root.testsuite[0]!.testcase[0]!;
    expect(c.failure.message).toContain('</script><script>alert(1)</script>');
    expect(c.failure.message).toContain('\\u0000nul \\u000Bvt');
    expect(c.failure['#text']).toContain('key=k\\u0001\\u0008<b>"&\'');
    expect(c.failure['#text']).toContain('\\u001B[31m');
  });
});
