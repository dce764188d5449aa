// Latency as HdrHistogram's percentile-distribution plot, as inline SVG (no script): one line per
// outcome, x the percentile on HdrHistogram's log scale (1/(1-p): 0%, 90%, 99%, ... 99.999%), y the
// latency in ms (linear, from 0), so the tail reads at a glance. The points come from the report's
// HdrHistogram encodings; a line ends where its sample count ends (no invented 99.999th of 50 values).
import { html } from './escape.js';
import { decodeHistogram, percentileMs, type LatencyHistogram } from '../metrics/histogram.js';

export interface DistributionPoint {
  /** Percentile, 0..100. */
  percentile: number;
  ms: number;
}

export interface PlotSeries {
  outcome: string;
  count: number;
  color: string;
  points: DistributionPoint[];
}

/** Ticks per decade of 1/(1-p), as HdrHistogram's ticks per half distance. */
const STEPS_PER_DECADE = 10;
/** 99.999%: the plotter's usual right edge. */
const MAX_DECADES = 5;

/**
 * Points of the percentile distribution: 1/(1-p) = 10^(i/10) while the histogram holds enough
 * samples to tell that percentile apart (1/(1-p) <= count), then the maximum at 1/(1-p) = count.
 */
export function distribution(h: LatencyHistogram): DistributionPoint[] {
  const n = h.totalCount;
  if (n === 0) return [];
  const points: DistributionPoint[] = [];
  for (let i = 0; i <= MAX_DECADES * STEPS_PER_DECADE; i++) {
    const inverse = 10 ** (i / STEPS_PER_DECADE);
    if (inverse > n) break;
    const percentile = 100 * (1 - 1 / inverse);
    points.push({ percentile: Math.round(percentile * 1e6) / 1e6, ms: percentileMs(h, percentile) });
  }
  const last = Math.min(n, 10 ** MAX_DECADES);
  const top = Math.round(100 * (1 - 1 / last) * 1e6) / 1e6;
  if (n > 1 && points.at(-1)!.percentile < top) points.push({ percentile: top, ms: percentileMs(h, 100) });
  return points;
}

/** distribution() of an encoded histogram (µs inside, ms out); [] when it does not decode. */
export function distributionOf(encoded: string): DistributionPoint[] {
  let h: LatencyHistogram;
  try {
    h = decodeHistogram(encoded);
  } catch {
    return [];
  }
  try {
    return distribution(h);
  } finally {
    h.destroy();
  }
}

const W = 600;
const H = 300;
const PAD = { left: 56, right: 16, top: 12, bottom: 40 };

/** x of a percentile: log10 of 1/(1-p). */
export const decadesOf = (percentile: number): number => (percentile >= 100 ? MAX_DECADES : Math.log10(1 / (1 - percentile / 100)));

const TICK_LABELS = ['0%', '90%', '99%', '99.9%', '99.99%', '99.999%'];

/** A round upper bound for the y axis and its tick step (1, 2 or 5 times a power of ten). */
export function niceScale(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const raw = max / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step, step };
}

const fmt = (v: number): string => (v >= 100 ? String(Math.round(v)) : String(Math.round(v * 100) / 100));

export function percentilePlot(series: PlotSeries[], title: string): string {
  const drawn = series.filter((s) => s.points.length > 0);
  if (drawn.length === 0) return '';
  const decades = Math.max(1, Math.min(MAX_DECADES, Math.ceil(Math.max(...drawn.flatMap((s) => s.points.map((p) => decadesOf(p.percentile)))) - 1e-9)));
  const { top, step } = niceScale(Math.max(...drawn.flatMap((s) => s.points.map((p) => p.ms))));
  const x = (percentile: number): number => PAD.left + (decadesOf(percentile) / decades) * (W - PAD.left - PAD.right);
  const y = (ms: number): number => H - PAD.bottom - (ms / top) * (H - PAD.top - PAD.bottom);
  const grid: string[] = [];
  for (let d = 0; d <= decades; d++) {
    const gx = (PAD.left + (d / decades) * (W - PAD.left - PAD.right)).toFixed(1);
    grid.push(
      `<line class="grid" x1="${gx}" x2="${gx}" y1="${PAD.top}" y2="${H - PAD.bottom}"/><text class="tick" x="${gx}" y="${H - PAD.bottom + 16}" text-anchor="middle">${TICK_LABELS[d]}</text>`,
    );
  }
  for (let v = 0; v <= top + step / 2; v += step) {
    const gy = y(v).toFixed(1);
    grid.push(
      `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${gy}" y2="${gy}"/><text class="tick" x="${PAD.left - 6}" y="${Number(gy) + 4}" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  const lines = drawn.map((s) => {
    const pts = s.points.map((p) => `${x(p.percentile).toFixed(1)},${y(p.ms).toFixed(1)}`);
    const marks = s.points.map(
      (p, i) =>
        `<circle cx="${pts[i]!.split(',')[0]}" cy="${pts[i]!.split(',')[1]}" r="2.5"><title>${html(`${s.outcome}: p${p.percentile} = ${p.ms} ms`)}</title></circle>`,
    );
    return `<g class="series" data-outcome="${html(s.outcome)}" stroke="${html(s.color)}" fill="${html(s.color)}"><polyline fill="none" stroke-width="2" points="${pts.join(' ')}"/>${marks.join('')}</g>`;
  });
  const axes =
    `<text class="label" x="${(PAD.left + W - PAD.right) / 2}" y="${H - 6}" text-anchor="middle">percentile (log scale of 1/(1-p))</text>` +
    `<text class="label" transform="translate(14 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">latency (ms)</text>`;
  const legend = drawn.map((s) => `<span><span class="swatch" style="background:${html(s.color)}"></span>${html(s.outcome)} (n=${s.count})</span>`).join(' ');
  return (
    `<figure class="percentiles"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${html(`${title}: latency percentile distribution by outcome`)}">${grid.join('')}${lines.join('')}${axes}</svg>` +
    `<figcaption>${html(title)}: latency by percentile, HdrHistogram style; ${legend}</figcaption></figure>`
  );
}
