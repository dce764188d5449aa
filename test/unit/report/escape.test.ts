import { describe, expect, it } from 'vitest';
import { html, jsonForScript, md, mdCode, mdFence, xmlAttr, xmlText } from '../../../src/report/escape.js';

describe('escaping', () => {
  it('xml: markup escaped, characters XML 1.0 forbids made visible, surrogate pairs kept', () => {
    expect(xmlText('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(xmlText('\u0000\u0001\u000B\uFFFE\tok\n')).toBe('\\u0000\\u0001\\u000B\\uFFFE\tok\n');
    expect(xmlText('\uD800x\uDC00')).toBe('\\uD800x\\uDC00');
    expect(xmlText('\u{1F600}')).toBe('\u{1F600}');
    expect(xmlAttr('"a"\n\tb\r')).toBe('&quot;a&quot;&#10;&#9;b&#13;');
  });

  it('html: text and attributes', () => {
    expect(html(`<a href="x" onclick='y'>&`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
    expect(html('\u0000\u007F\u0085')).toBe('\\u0000\\u007F\\u0085');
  });

  it('json for a script element cannot close it', () => {
    const s = jsonForScript({ body: '</script><!-- & \u2028' });
    expect(s).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(s)).toEqual({ body: '</script><!-- & \u2028' });
  });

  it('markdown: inline text, code spans and fences', () => {
    expect(md('a|b *c* [d](e) <f>\nnext')).toBe('a\\|b \\*c\\* \\[d\\](e) \\<f\\> next');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('a|b', true)).toBe('`a\\|b`');
    expect(mdFence('x\n```\ny')).toBe('````text\nx\n```\ny\n````');
  });
});
