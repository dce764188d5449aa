// Observability coverage: series present and moved by what the audit sent, from two scrapes.
import { describe, expect, it } from 'vitest';
import { coverageStatus, coverageText, judgeObservability, parsePrometheus, selectSum } from '../../../src/report/observability.js';

const scrape = (replay: number, fresh: number, conflict: number, withError = true): string =>
  [
    '# HELP idempotency_requests_total Requests',
    '# TYPE idempotency_requests_total counter',
    `idempotency_requests_total{outcome="replay"} ${replay}`,
    `idempotency_requests_total{outcome="new"} ${fresh}`,
    `idempotency_requests_total{outcome="in_flight_conflict"} ${conflict}`,
    ...(withError ? ['idempotency_requests_total{outcome="store_error"} 0'] : []),
    'process_cpu_seconds_total 1.5',
  ].join('\n');

describe('observability coverage', () => {
  it('parses the text format and sums what a selector matches', () => {
    const samples = parsePrometheus(scrape(1, 2, 3));
    expect(selectSum(samples, 'idempotency_requests_total{outcome="new"}')).toBe(2);
    expect(selectSum(samples, 'idempotency_requests_total')).toBe(6);
    expect(selectSum(samples, 'nope')).toBeUndefined();
  });

  it('every series present and moved by the audit: pass', () => {
    const c = judgeObservability('http://127.0.0.1/metrics', scrape(0, 0, 0), scrape(4, 10, 21), { replay: 4, first: 10, conflict: 21 });
    expect(c.series.map((s) => `${s.series} ${s.status}`)).toEqual(['hit moved', 'miss moved', 'conflict moved', 'error nothing sent']);
    expect(coverageStatus(c)).toBe('pass');
    expect(coverageText(c)).toContain('hit: moved (+4 for 4 sent)');
  });

  it('a missing series or one that did not move for traffic the audit sent is a deviation', () => {
    const c = judgeObservability('m', scrape(0, 0, 0, false), scrape(0, 10, 21, false), { replay: 4, first: 10, conflict: 21, error: 1 });
    expect(c.series.map((s) => `${s.series} ${s.status}`)).toEqual(['hit did not move', 'miss moved', 'conflict moved', 'error missing']);
    expect(coverageStatus(c)).toBe('deviation');
  });
});
