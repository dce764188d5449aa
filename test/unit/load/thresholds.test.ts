// Threshold grammar: what parses (and into what), what does not (and where), and evaluation.
import { describe, expect, it } from 'vitest';
import { evaluateThreshold, parseThreshold, parseThresholds, ThresholdError, type ThresholdMetrics } from '../../../src/metrics/thresholds.js';

function errorOf(expr: string): ThresholdError {
  try {
    parseThreshold(expr);
  } catch (err) {
    if (err instanceof ThresholdError) return err;
    throw err;
  }
  throw new Error(`'${expr}' parsed`);
}

describe('parseThreshold: valid expressions', () => {
  it.each([
    ['p99 < 250ms', 'duration', 250, 'deviation'],
    ['p50 <= 20ms', 'duration', 20, 'deviation'],
    ['p99 < 1.5s', 'duration', 1500, 'deviation'],
    ['p90<500us', 'duration', 0.5, 'deviation'],
    ['p99 < 250', 'duration', 250, 'deviation'],
    ['error_rate < 1%', 'fraction', 0.01, 'deviation'],
    ['conflict_rate < 5%', 'fraction', 0.05, 'deviation'],
    ['error_rate < 0.01', 'fraction', 0.01, 'deviation'],
    ['duplicate_executions == 0', 'count', 0, 'violation'],
    ['replay_mismatches == 0', 'count', 0, 'violation'],
    ['rate >= 95%', 'fraction', 0.95, 'deviation'],
    ['rps > 1000', 'rps', 1000, 'deviation'],
    ['conflict.count < 100', 'count', 100, 'deviation'],
  ])('%s', (expr, kind, value, level) => {
    const t = parseThreshold(expr);
    expect(t.valueKind).toBe(kind);
    expect(t.level).toBe(level);
    const v = t.left.kind === 'value' ? t.left : t.right;
    expect(v.kind).toBe('value');
    if (v.kind === 'value') expect(v.value).toBeCloseTo(value, 9);
  });

  it('reads sources, outcomes and percentiles with fractions', () => {
    const t = parseThreshold('service.replay.p99.9 < 2ms');
    expect(t.left).toMatchObject({
      kind: 'metric',
      metric: { type: 'latency', source: 'service', outcome: 'replay', stat: { kind: 'percentile', percentile: 99.9 } },
    });
    expect(parseThreshold('p999 < 1s').left).toMatchObject({ metric: { stat: { percentile: 99.9 } } });
    expect(parseThreshold('first.max < 1s').left).toMatchObject({ metric: { outcome: 'first', stat: { kind: 'max' } } });
    expect(parseThreshold('avg < 1s').left).toMatchObject({ metric: { stat: { kind: 'mean' } } });
  });

  it('compares two metrics of the same kind', () => {
    const t = parseThreshold('replay.p99 < first.p99');
    expect(t.left).toMatchObject({ metric: { outcome: 'replay' } });
    expect(t.right).toMatchObject({ metric: { outcome: 'first' } });
    expect(parseThreshold('250ms > p99').op).toBe('>');
  });
});

describe('parseThreshold: errors point at the column', () => {
  it.each([
    ['p99 < 250xs', 9, /unknown unit 'xs'/],
    ['p99 = 250ms', 4, /'=' is not a comparison/],
    ['p99 250ms', 4, /expected a comparison/],
    ['p99 <', 5, /expected a metric or a value/],
    ['p101 < 1s', 0, /out of range/],
    ['latncy < 1s', 0, /unknown metric 'latncy'/],
    ['replay.p99 < 5%', 13, /is a latency/],
    ['error_rate < 5ms', 13, /is a rate/],
    ['error_rate < 5', 13, /above 1 \(did you mean 5%\?\)/],
    ['duplicate_executions == 0%', 24, /plain number/],
    ['p99 < error_rate', 6, /cannot compare a latency/],
    ['1 < 2', 0, /not two values/],
    ['p99 < 1s extra', 9, /unexpected 'extra'/],
    ['repaly.p99 < 1s', 0, /unknown source or outcome 'repaly'/],
    ['service.frist.p99 < 1s', 8, /unknown outcome 'frist'/],
    ['p99.max < 1s', 4, /unexpected 'max' after 'p99'/],
    ['p99 < 1s #', 9, /unexpected '#'/],
    ['', 0, /empty/],
  ])('%s -> column %i', (expr, position, message) => {
    const err = errorOf(expr);
    expect(err.position).toBe(position);
    expect(err.reason).toMatch(message);
    expect(err.exitCode).toBe(2);
    // The message shows the expression with a caret under the problem.
    if (expr) expect(err.message).toContain(`  ${expr.trim()}\n  ${' '.repeat(position)}^`);
    expect(err.short).toContain(`at column ${position + 1}`);
  });

  it('parseThresholds reports every problem at once', () => {
    const { thresholds, errors } = parseThresholds(['p99 < 1s', 'p99 < 1xs', 'bogus == 1']);
    expect(thresholds).toHaveLength(1);
    expect(errors.map((e) => e.expression)).toEqual(['p99 < 1xs', 'bogus == 1']);
  });
});

describe('evaluateThreshold', () => {
  const metrics: ThresholdMetrics = {
    latency: (source, outcome, stat) => {
      if (outcome === 'replay' && source === 'latency') return 3;
      if (outcome === 'first') return 55;
      if (outcome === 'timeout') return undefined;
      return stat.kind === 'percentile' && stat.percentile >= 99 ? 240 : 12;
    },
    count: (o) => (o === 'conflict' ? 10 : 100),
    counter: (name) =>
      (({ error_rate: 0.004, conflict_rate: 0.1, duplicate_executions: 2, rate: undefined, rps: 990 }) as Record<string, number | undefined>)[name],
  };

  it.each([
    ['p99 < 250ms', true, 'p99 < 250ms: p99 = 240 ms'],
    ['p99 < 200ms', false, 'p99 < 200ms: p99 = 240 ms'],
    ['p50 <= 20ms', true, undefined],
    ['error_rate < 1%', true, 'error_rate < 1%: error_rate = 0.4%'],
    ['conflict_rate < 5%', false, undefined],
    ['duplicate_executions == 0', false, 'duplicate_executions == 0: duplicate_executions = 2'],
    ['replay.p99 < first.p99', true, 'replay.p99 < first.p99: replay.p99 = 3 ms, first.p99 = 55 ms'],
    ['rate >= 95%', undefined, 'rate >= 95%: rate = no data'],
    ['timeout.p99 < 1s', undefined, undefined],
    ['rps >= 1000', false, 'rps >= 1000: rps = 990 req/s'],
    ['conflict.count < 11', true, undefined],
  ])('%s -> %s', (expr, ok, text) => {
    const e = evaluateThreshold(parseThreshold(expr), metrics);
    expect(e.ok).toBe(ok);
    if (text) expect(e.text).toBe(text);
  });
});
