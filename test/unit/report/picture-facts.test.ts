// Picture-only facts (the race timeline's arrivals and executions, the chaos sequence) are drawn in
// HTML and kept in JSON/SARIF, but text formats leave them out: as text they are a wall of numbers.
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report/model.js';
import { renderHtml } from '../../../src/report/reporters/html.js';
import { renderJunit } from '../../../src/report/reporters/junit.js';
import { renderMarkdown } from '../../../src/report/reporters/markdown.js';
import { renderSarif } from '../../../src/report/reporters/sarif.js';
import { fixture } from './helpers.js';

function withPictureFacts(): Report {
  const report = structuredClone(fixture('failing'));
  const r = report.results.find((x) => x.verdict === 'fail')!;
  r.facts = {
    ...r.facts,
    spreadMs: 0.25,
    arrivalsMs: [987654.125, 987654.5],
    executionsMs: [[987655.25, 987656.75]],
    sequence: [{ kind: 'attempt', label: 'SEQUENCE-STEP-MARK' }],
  };
  return report;
}

describe('picture-only facts', () => {
  const report = withPictureFacts();

  it('are left out of JUnit and Markdown, while the other facts stay', () => {
    for (const out of [renderJunit(report), renderMarkdown(report)]) {
      expect(out).toContain('spreadMs');
      expect(out).not.toContain('arrivalsMs');
      expect(out).not.toContain('executionsMs');
      expect(out).not.toContain('SEQUENCE-STEP-MARK');
      expect(out).not.toContain('987654.125');
    }
  });

  it('are not printed as text in HTML either', () => {
    const out = renderHtml(report);
    expect(out).toContain('spreadMs=0.25');
    expect(out).not.toMatch(/arrivalsMs=|executionsMs=|sequence=/);
  });

  it('are kept in SARIF properties (machine readers get everything)', () => {
    expect(JSON.stringify(renderSarif(report))).toContain('987654.125');
  });
});
