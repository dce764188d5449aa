// JUnit XML: valid against the Jenkins JUnit XSD (libxml2's xmllint), one suite per endpoint,
// test names stable across runs, escaped (control characters included).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../../src/report/reporters/junit.js';
import { FIXTURES, fixture } from './helpers.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: '#text',
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  parseAttributeValue: false,
  processEntities: true,
});

type Attrs = Record<string, string>;
interface Case extends Attrs {
  failure?: any;
  error?: any;
  skipped?: any;
  'system-out'?: any;
}

function parse(xml: string): { root: Attrs & { testsuite: Array<Attrs & { testcase: Case[]; properties: { property: Attrs[] } }> } } {
  const valid = XMLValidator.validate(xml);
  expect(valid, JSON.stringify(valid)).toBe(true);
  return { root: parser.parse(xml).testsuites };
}

const XSD = path.join(FIXTURES, 'junit-jenkins.xsd');

/** libxml2's schema validator (CI installs libxml2-utils; a missing xmllint fails the test). */
function xsdErrors(xml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'idemaudit-junit-'));
  try {
    const file = path.join(dir, 'report.junit.xml');
    writeFileSync(file, xml);
    execFileSync('xmllint', ['--noout', '--schema', XSD, file], { stdio: 'pipe' });
    return '';
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('xmllint is missing: apt-get install libxml2-utils');
    return e.stderr?.toString() ?? String(err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const allCases = (root: ReturnType<typeof parse>['root']): Case[] => root.testsuite.flatMap((s) => s.testcase);

describe('junit reporter', () => {
  for (const name of ['passing', 'failing', 'hostile'] as const) {
    it(`validates against the Jenkins JUnit XSD with xmllint (${name})`, () => {
      expect(xsdErrors(renderJunit(fixture(name)))).toBe('');
    });
  }

  it('the XSD check is real: an attribute Jenkins does not know is rejected', () => {
    const xml = renderJunit(fixture('failing')).replace('<testcase ', '<testcase line="3" ');
    expect(xsdErrors(xml)).toMatch(/line.*not allowed/);
  });

  it('has one suite per endpoint, one testcase per result, consistent counts', () => {
    const report = fixture('failing');
    const { root } = parse(renderJunit(report));
    expect(Number(root.tests)).toBe(report.results.length);
    expect(Number(root.failures)).toBe(report.summary.counts.fail);
    expect(Number(root.errors)).toBe(report.summary.counts.error);
    expect(root.time).toBe('6.412');
    expect(root.testsuite.map((s) => s.name)).toEqual(['reference.create-payment', 'reference.create-refund']);
    let cases = 0;
    for (const s of root.testsuite) {
      expect(Number(s.tests)).toBe(s.testcase.length);
      expect(Number(s.failures)).toBe(s.testcase.filter((c) => c.failure !== undefined).length);
      expect(Number(s.errors)).toBe(s.testcase.filter((c) => c.error !== undefined).length);
      expect(Number(s.skipped)).toBe(s.testcase.filter((c) => c.skipped !== undefined).length);
      expect(s.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      expect(s.properties.property.find((p) => p.name === 'seed')?.value).toBe(report.seed);
      for (const c of s.testcase) {
        expect(c.classname).toBe(s.name);
        expect(c.time).toMatch(/^\d+\.\d{3}$/);
      }
      cases += s.testcase.length;
    }
    expect(cases).toBe(report.results.length);
  });

  it('names tests by check and variant only; figures go to messages, system-out and properties', () => {
    const report = fixture('failing');
    const { root } = parse(renderJunit(report));
    const names = root.testsuite.map((s) => s.testcase.map((c) => c.name));
    for (const list of names) {
      expect(new Set(list).size).toBe(list.length);
      for (const n of list) expect(n).toMatch(/^[a-z-]+(\[[\w.-]+\])?$/);
    }
    const c = root.testsuite[0]!.testcase[0]!;
    expect(c.name).toBe('concurrent-duplicates');
    expect(c.failure.type).toBe('violation');
    expect(c.failure.message).toContain('key executed 3 times');
    const text: string = c.failure['#text'];
    expect(text).toContain('rule: draft-ietf-httpapi-idempotency-key-header-07 §2.6');
    expect(text).toContain('#1 copy 1/8: POST http://127.0.0.1:4001/payments key=k-p-c1 tenant=alice -> 201 (50.7 ms) body {"id":"pay_0001"');
    expect(String(c['system-out'])).toContain('key executed 3 times');
    const props = root.testsuite[0]!.properties.property;
    expect(props.some((p) => p.name?.startsWith('concurrent-duplicates.'))).toBe(true);
  });

  it('test names do not move when measured figures change between runs', () => {
    const first = fixture('failing');
    const second = fixture('failing');
    for (const r of second.results) {
      r.message = r.message.replace(/\d+(\.\d+)?/g, (n) => String(Number(n) * 7 + 1));
      if (r.facts) for (const k of Object.keys(r.facts)) if (typeof r.facts[k] === 'number') r.facts[k] = r.facts[k] + 13;
    }
    const ids = (xml: string) => allCases(parse(xml).root).map((c) => `${c.classname} ${c.name}`);
    expect(ids(renderJunit(second))).toEqual(ids(renderJunit(first)));
    expect(renderJunit(second)).not.toBe(renderJunit(first));
  });

  it('maps error to <error>; skip, inconclusive and unknown verdicts to <skipped> with the reason', () => {
    const report = fixture('failing');
    const { root } = parse(renderJunit(report));
    expect(
      allCases(root)
        .filter((c) => c.error !== undefined)
        .map((c) => c.error.message),
    ).toEqual(["the first tenant's request failed (timeout after 5000 ms)"]);
    expect(
      allCases(root)
        .filter((c) => c.skipped !== undefined)
        .map((c) => c.skipped.message),
    ).toEqual(['declare `errorTrigger` on the endpoint to provoke a 5xx']);

    const passed = report.results.findIndex((r) => r.verdict === 'pass');
    (report.results[passed] as { verdict: string }).verdict = 'inconclusive';
    report.results[passed]!.message = 'the ledger was unreachable: executions unknown';
    const xml = renderJunit(report);
    expect(xsdErrors(xml)).toBe('');
    const skipped = allCases(parse(xml).root)
      .filter((c) => c.skipped !== undefined)
      .map((c) => c.skipped.message);
    expect(skipped).toContain('inconclusive: the ledger was unreachable: executions unknown');
  });

  it('a passing run has no failures', () => {
    const { root } = parse(renderJunit(fixture('passing')));
    expect(root.failures).toBe('0');
    expect(allCases(root).every((c) => c.failure === undefined && c.error === undefined)).toBe(true);
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
