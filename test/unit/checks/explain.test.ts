// `idemaudit explain` and the README's option tables come from the option schemas; the README must
// say exactly what the schemas say. Regenerate the section with `idemaudit explain --markdown`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_BEGIN, README_END, explainText, optionRows, optionsMarkdown } from '../../../src/checks/explain.js';
import { getCheck } from '../../../src/checks/index.js';

describe('explain', () => {
  it('lists every option with its default and unit, from the schema', () => {
    const rows = optionRows(getCheck('concurrent-duplicates'));
    expect(rows.map((r) => r.name)).toEqual(['copies', 'rounds', 'budgetMs']);
    expect(rows.find((r) => r.name === 'budgetMs')).toMatchObject({ default: '3000', unit: 'ms' });
    expect(rows.find((r) => r.name === 'rounds')).toMatchObject({ default: '3', unit: 'count' });
    const text = explainText('timeout-retry');
    expect(text).toContain('sends and judges: client times out a quarter into the handler');
    expect(text).toMatch(/rounds \(integer \(1\.\.20\), count; default 2\)/);
  });

  it('refuses an unknown check with the known ones', () => {
    expect(() => explainText('nope')).toThrow(/unknown check 'nope'/);
  });

  it('the README carries exactly the generated option tables', () => {
    const readme = readFileSync('README.md', 'utf8');
    const begin = readme.indexOf(README_BEGIN);
    const end = readme.indexOf(README_END);
    expect(begin).toBeGreaterThan(0);
    expect(readme.slice(begin + README_BEGIN.length, end).trim()).toBe(optionsMarkdown().trim());
  });
});
