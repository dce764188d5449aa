// Markdown governance report: structure, and that report text cannot inject markup.
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../src/report/reporters/markdown.js';
import { fixture } from './helpers.js';

describe('markdown reporter', () => {
  it('has the governance sections per endpoint and findings grouped by level', () => {
    const out = renderMarkdown(fixture('failing'));
    for (const heading of [
      '## Endpoints',
      '### `create-payment` POST /payments',
      '### `create-refund` POST /refunds',
      '## Findings',
      '### Violations (4)',
      '### Deviations (3)',
      '### Observations (2)',
      '### Errors, inconclusive and skipped checks (2)',
      '## All results',
      '## How maturity levels are derived',
    ]) {
      expect(out).toContain(`\n${heading}\n`);
    }
    expect(out).toContain('**Operational maturity: L0** (not established)');
    expect(out).toContain('**Business-risk class:** critical (financial transactions, inventory reservation: strict fail-closed expected)');
    expect(out).toContain('| Retention window (`expiry`) | not declared in the report | not audited: expiry was not part of this run | ➖ not measured |');
    expect(out).toContain('| first | 11 | 50.800 | 53.100 | 71.900 | 71.900 | 71.900 |');
  });

  it('escapes report text: no raw HTML, links or table breaks', () => {
    const out = renderMarkdown(fixture('hostile'));
    // Code spans and fenced blocks show their content literally; everything else must be escaped.
    const prose = out.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '').replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, '');
    expect(prose).not.toMatch(/(^|[^\\])<[a-z/!]/i);
    expect(prose).not.toMatch(/[^\\]\]\(javascript:/);
    expect(out).toContain('\\</script\\>\\<script\\>alert(1)\\</script\\>');
    // Every table row keeps its column count.
    const rows = out.split('\n').filter((l) => l.startsWith('| `key-validation`'));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.replace(/\\\|/g, '').split('|').length - 2).toBe(5);
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0008\u000B-\u001F]/);
    expect(out).toContain('\\\\u0000nul \\\\u000Bvt'); // renders as \u0000nul
  });
});

describe('executive summary', () => {
  it('comes first and tells what is at risk in plain words, with what to do', async () => {
    const { renderMarkdown } = await import('../../../src/report/reporters/markdown.js');
    const { fixture: load } = await import('./helpers.js');
    const out = renderMarkdown(load('failing'));
    expect(out.indexOf('## Executive summary')).toBeGreaterThan(0);
    expect(out.indexOf('## Executive summary')).toBeLessThan(out.indexOf('## Endpoints'));
    expect(out.indexOf('## Executive summary')).toBeLessThan(out.indexOf('| Run |'));
    expect(out).toMatch(/\*\*2 endpoints audited: \d+ business risks exposed on 2 endpoints/);
    expect(out).toContain('can be charged twice');
    expect(out).toContain('*What to do:* Make the claim of a key atomic');
    // Each failed finding carries its impact and fix.
    expect(out).toMatch(/- Impact: .*\n- Fix: /);
    const clean = renderMarkdown(load('passing'));
    expect(clean).toContain('**2 endpoints audited: no business risk exposed by the checks that ran.**');
  });
});
