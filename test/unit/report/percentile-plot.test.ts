// HdrHistogram's percentile-distribution plot: points on the 1/(1-p) log scale from a real
// histogram, lines that end where the samples end, one line per outcome, axes, escaping.
import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, encodeHistogram, recordMs } from '../../../src/metrics/histogram.js';
import { decadesOf, distribution, distributionOf, niceScale, percentilePlot } from '../../../src/report/percentile-plot.js';
import { renderHtml } from '../../../src/report/reporters/html.js';
import { fixture } from './helpers.js';

/** 1..n ms, one sample each: the p-th percentile is about p% of n. */
function uniform(n: number): ReturnType<typeof createLatencyHistogram> {
  const h = createLatencyHistogram();
  for (let i = 1; i <= n; i++) recordMs(h, i);
  return h;
}

describe('percentile distribution', () => {
  it('samples 1/(1-p) ten times a decade, up to what the sample count can tell, then the maximum', () => {
    const h = uniform(1000);
    const pts = distribution(h);
    h.destroy();
    // 10^(i/10) <= 1000: i = 0..30, then the max at 99.9%.
    expect(pts).toHaveLength(31);
    expect(pts[0]).toEqual({ percentile: 0, ms: 1 });
    expect(pts[10]!.percentile).toBe(90);
    expect(pts[10]!.ms).toBeCloseTo(900, -1);
    expect(pts[20]!.percentile).toBe(99);
    expect(pts[20]!.ms).toBeCloseTo(990, -1);
    // The maximum, to HdrHistogram's 3 significant digits.
    expect(pts.at(-1)!.percentile).toBe(99.9);
    expect(Math.abs(pts.at(-1)!.ms - 1000)).toBeLessThan(1);
    expect(pts.every((p, i) => i === 0 || (p.percentile > pts[i - 1]!.percentile && p.ms >= pts[i - 1]!.ms))).toBe(true);
  });

  it('ends a small sample early and adds its maximum; empty and undecodable give nothing', () => {
    const h = uniform(50);
    const enc = encodeHistogram(h);
    h.destroy();
    const pts = distributionOf(enc);
    expect(Math.max(...pts.map((p) => decadesOf(p.percentile)))).toBeLessThanOrEqual(Math.log10(50) + 1e-9);
    expect(pts.at(-1)!.percentile).toBe(98);
    expect(Math.abs(pts.at(-1)!.ms - 50)).toBeLessThan(0.05);
    const empty = createLatencyHistogram();
    expect(distribution(empty)).toEqual([]);
    empty.destroy();
    expect(distributionOf('not a histogram')).toEqual([]);
  });

  it('puts round numbers on the latency axis', () => {
    expect(niceScale(0)).toEqual({ top: 1, step: 0.25 });
    expect(niceScale(203.5)).toEqual({ top: 250, step: 50 });
    expect(niceScale(7.2)).toEqual({ top: 8, step: 2 });
  });
});

describe('percentile plot', () => {
  const a = uniform(1000);
  const b = uniform(20);
  const series = [
    { outcome: 'first', count: 1000, color: '#2563eb', points: distribution(a) },
    { outcome: 'replay', count: 20, color: '#16a34a', points: distribution(b) },
    { outcome: 'error', count: 0, color: '#dc2626', points: [] },
  ];
  a.destroy();
  b.destroy();

  it('draws one line per outcome with a mark per point, on a 0% .. 99.9% axis', () => {
    const svg = percentilePlot(series, 'load on <pay>');
    expect(svg.match(/<g class="series"/g)).toHaveLength(2); // the empty outcome is not drawn
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(series[0]!.points.length + series[1]!.points.length);
    for (const t of ['0%', '90%', '99%', '99.9%']) expect(svg).toContain(`>${t}</text>`);
    expect(svg).not.toContain('>99.99%<');
    // x grows with the percentile, y with the latency (SVG y points down).
    const pts = svg
      .match(/points="([^"]+)"/)![1]!
      .split(' ')
      .map((p) => p.split(',').map(Number));
    expect(pts.every((p, i) => i === 0 || (p[0]! > pts[i - 1]![0]! && p[1]! <= pts[i - 1]![1]!))).toBe(true);
    expect(svg).toContain('load on &lt;pay&gt;');
    expect(svg).not.toContain('<pay>');
    expect(percentilePlot([series[2]!], 'x')).toBe('');
  });

  it('is drawn in the HTML report for every endpoint with load histograms', () => {
    const report = fixture('passing');
    const h = uniform(200);
    const enc = encodeHistogram(h);
    h.destroy();
    const ep = report.results[0]!.endpoint;
    report.histograms = { [ep]: { first: { intended: enc, service: enc } } };
    report.latency[ep] = { ...report.latency[ep], first: { count: 200, p50: 100, p90: 180, p99: 198, p999: 200, max: 200 } };
    const out = renderHtml(report);
    expect(out).toMatch(/<section id="load-latency">[\s\S]*<figure class="percentiles"><svg/);
    expect(out.match(/<g class="series" data-outcome="first"/g)).toHaveLength(1);
    expect(renderHtml(fixture('passing'))).not.toContain('id="load-latency"');
  });
});
