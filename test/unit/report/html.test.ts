// HTML: one self-contained page (no network), everything from the report escaped, deterministic.
import { createHash } from 'node:crypto';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { describe, expect, it } from 'vitest';
import { renderHtml, uplotAsset } from '../../../src/report/reporters/html.js';
import { fixture } from './helpers.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

function elements(node: Node, out: Element[] = []): Element[] {
  if ('tagName' in node) out.push(node);
  const kids = 'content' in node && node.content ? node.content.childNodes : 'childNodes' in node ? node.childNodes : [];
  for (const k of kids) elements(k, out);
  return out;
}

const attr = (el: Element, name: string): string | undefined => el.attrs.find((a) => a.name === name)?.value;
const text = (el: Element): string => el.childNodes.map((n) => ('value' in n ? n.value : '')).join('');

function page(name: 'passing' | 'failing' | 'hostile'): { html: string; els: Element[] } {
  const html = renderHtml(fixture(name));
  const errors: string[] = [];
  const doc = parse(html, { onParseError: (e) => errors.push(`${e.code} at ${e.startLine}:${e.startCol}`) });
  expect(errors).toEqual([]);
  return { html, els: elements(doc) };
}

describe('html reporter', () => {
  it('inlines uPlot and loads nothing from the network', () => {
    const { els } = page('failing');
    const scripts = els.filter((e) => e.tagName === 'script');
    expect(scripts.map((s) => attr(s, 'type') ?? 'classic')).toEqual(['application/json', 'classic', 'classic']);
    expect(scripts.every((s) => attr(s, 'src') === undefined)).toBe(true);
    expect(text(scripts[1]!)).toBe(uplotAsset().js);
    expect(text(scripts[1]!).length).toBeGreaterThan(40_000);
    expect(els.some((e) => e.tagName === 'style' && text(e).includes('.uplot'))).toBe(true);
    for (const e of els) {
      for (const a of e.attrs) {
        if (['src', 'href', 'action', 'srcset', 'poster', 'data'].includes(a.name)) expect(a.value).not.toMatch(/^\s*(https?:)?\/\//i);
      }
    }
    expect(els.filter((e) => e.tagName === 'link')).toEqual([]);
  });

  it('pins every script with a CSP hash and allows no other source', () => {
    const { els } = page('failing');
    const csp = attr(
      els.find((e) => e.tagName === 'meta' && attr(e, 'http-equiv') === 'Content-Security-Policy')!,
      'content',
    )!;
    expect(csp).toContain("default-src 'none'");
    for (const s of els.filter((e) => e.tagName === 'script' && attr(e, 'type') === undefined)) {
      expect(csp).toContain(`'sha256-${createHash('sha256').update(text(s)).digest('base64')}'`);
    }
  });

  it('carries chart data as JSON and draws one chart per endpoint', () => {
    const { els } = page('failing');
    const data = JSON.parse(text(els.find((e) => attr(e, 'id') === 'idemaudit-data')!));
    expect(data.charts.map((c: any) => c.endpoint)).toEqual(['create-payment', 'create-refund']);
    expect(data.charts[0].series[0]).toEqual({ outcome: 'first', count: 11, values: [50.8, 53.1, 71.9, 71.9, 71.9] });
    expect(els.filter((e) => e.attrs.some((a) => a.name === 'class' && a.value === 'chart')).map((e) => attr(e, 'id'))).toEqual(['chart-0', 'chart-1']);
  });

  it('renders a results table with one row per result and sort/filter controls', () => {
    const { els } = page('failing');
    const table = els.find((e) => attr(e, 'id') === 'results')!;
    const rows = elements(table).filter((e) => e.tagName === 'tr' && attr(e, 'data-index') !== undefined);
    expect(rows).toHaveLength(13);
    expect(rows.filter((r) => attr(r, 'data-verdict') === 'fail')).toHaveLength(7);
    expect(elements(table).filter((e) => e.tagName === 'th' && attr(e, 'data-sort'))).toHaveLength(6);
    for (const id of ['filter-text', 'filter-verdict', 'filter-level']) expect(els.some((e) => attr(e, 'id') === id)).toBe(true);
  });

  it('escapes hostile report content: no injected element, attribute or script', () => {
    const { html, els } = page('hostile');
    const scripts = els.filter((e) => e.tagName === 'script');
    expect(scripts).toHaveLength(3);
    // The JSON block carries no raw '<': it cannot close its element.
    expect(text(scripts[0]!)).not.toContain('<');
    for (const s of scripts.slice(1)) expect(text(s)).not.toContain('alert(');
    // Only the elements the reporter itself writes.
    const tags = new Set(els.map((e) => e.tagName));
    const own = [
      'html',
      'head',
      'meta',
      'title',
      'style',
      'body',
      'header',
      'h1',
      'h2',
      'h3',
      'p',
      'div',
      'span',
      'code',
      'section',
      'b',
      'strong',
      'table',
      'thead',
      'tbody',
      'tr',
      'th',
      'td',
      'ul',
      'li',
      'article',
      'pre',
      'details',
      'summary',
      'label',
      'input',
      'select',
      'option',
      'footer',
      'script',
      'figure',
      'figcaption',
      'svg',
      'g',
      'title',
      'text',
      'rect',
      'circle',
      'line',
    ];
    expect([...tags].filter((t) => !own.includes(t))).toEqual([]);
    expect(els.some((e) => e.attrs.some((a) => /^on/i.test(a.name)))).toBe(false);
    // The text survives, escaped.
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const title = els.find((e) => e.tagName === 'title')!;
    expect(text(title)).toBe('idemaudit: hostile </title><script>alert(6)</script> (FAIL)');
  });

  it('shows inconclusive results with their evidence in a section of their own, and no section when there are none', () => {
    expect(renderHtml(fixture('failing'))).not.toContain('id="inconclusive"');
    const report = fixture('failing');
    const failed = report.results.find((r) => r.verdict === 'fail' && r.evidence.length > 0)!;
    report.results.push({
      ...failed,
      check: 'cross-instance-duplicates',
      verdict: 'inconclusive',
      message: 'not judged (root cause owned by failover-replay): a sequential retry through us executed again',
      facts: { inconclusive: { owner: 'failover-replay' } },
      evidence: [{ ...failed.evidence[0]!, label: 'failover probe: retry via us after 0 ms' }],
    });
    const html = renderHtml(report);
    const section = html.slice(html.indexOf('<section id="inconclusive">'), html.indexOf('<section id="all-results">'));
    expect(section).toContain('<h2>Inconclusive (1)</h2>');
    expect(section).toContain('not judged (root cause owned by failover-replay)');
    expect(section).toContain('failover probe: retry via us after 0 ms');
    // Findings still count failures only.
    expect(html).toContain(`<h2>Findings (${renderHtml(fixture('failing')).match(/<h2>Findings \((\d+)\)/)![1]})</h2>`);
  });

  it('is deterministic', () => {
    expect(renderHtml(fixture('failing'))).toBe(renderHtml(fixture('failing')));
  });
});
