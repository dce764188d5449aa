// The histogram factory's units, the compressed encoding round trip, and merging.
import { describe, expect, it } from 'vitest';
import {
  addHistograms,
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeEncoded,
  percentileDistribution,
  recordMs,
  recordUs,
  summarize,
  summarizeEncoded,
} from '../../../src/metrics/histogram.js';

describe('latency histograms', () => {
  it('record milliseconds as microseconds and report milliseconds', () => {
    const h = createLatencyHistogram();
    recordMs(h, 1.5);
    recordUs(h, 2500);
    recordMs(h, 0); // clamped to 1 µs
    expect(h.totalCount).toBe(3);
    expect(summarize(h).max).toBeCloseTo(2.5, 2);
    h.destroy();
  });

  it('round-trips through the compressed base64 encoding', () => {
    const h = createLatencyHistogram();
    for (let i = 1; i <= 10_000; i++) recordMs(h, i / 100);
    const encoded = encodeHistogram(h);
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const back = decodeHistogram(encoded);
    expect(back.totalCount).toBe(10_000);
    // Percentiles survive exactly; the exact maximum becomes its bucket's top (3 significant digits).
    const [x, y] = [summarize(back), summarize(h)];
    expect({ ...x, max: 0 }).toEqual({ ...y, max: 0 });
    expect(x.max).toBeCloseTo(y.max, 0);
    expect(Math.abs(x.max - y.max) / y.max).toBeLessThan(0.001);
    h.destroy();
    back.destroy();
  });

  it('merging encoded histograms equals recording everything into one', () => {
    const a = createLatencyHistogram();
    const b = createLatencyHistogram();
    const all = createLatencyHistogram();
    for (let i = 0; i < 5000; i++) {
      const x = (i % 97) + 0.25;
      const y = (i % 13) * 10 + 1;
      recordMs(a, x);
      recordMs(b, y);
      recordMs(all, x);
      recordMs(all, y);
    }
    const merged = summarizeEncoded(mergeEncoded([encodeHistogram(a), encodeHistogram(b)]));
    const direct = summarize(all);
    // Equal to HdrHistogram's precision (3 significant digits): decoding loses only the exact maximum.
    expect(merged.count).toBe(direct.count);
    for (const k of ['p50', 'p90', 'p99', 'p999', 'max'] as const) expect(Math.abs(merged[k] - direct[k]) / direct[k]).toBeLessThan(0.001);
    const sum = addHistograms([a, b]);
    expect(summarize(sum)).toEqual(direct);
    for (const h of [a, b, all, sum]) h.destroy();
  });

  it('writes the .hgrm percentile distribution in milliseconds', () => {
    const h = createLatencyHistogram();
    for (let i = 0; i < 100; i++) recordMs(h, 10);
    const text = percentileDistribution(h);
    expect(text).toMatch(/Value\s+Percentile\s+TotalCount/);
    expect(text).toMatch(/^\s+10\.0\d+ /m);
    expect(text).toMatch(/#\[Max\s+=\s+10\.0\d+, Total count\s+=\s+100\]/);
    h.destroy();
  });
});
