// Observability coverage (GUIDE section 6, "observability contract"): the audit scrapes the API's
// Prometheus metrics before and after its traffic and checks that the hit (replay), miss (first
// execution), conflict and error series exist and moved when the audit sent such requests. Pure:
// two scrapes and the audit's own answer counts in, a verdict per series out.
import type { Outcome } from '../core/outcome.js';

export const SERIES = ['hit', 'miss', 'conflict', 'error'] as const;
export type SeriesName = (typeof SERIES)[number];

/** Selectors for the reference layer's metrics (src/reference/observability/metrics.ts). */
export const DEFAULT_SELECTORS: Record<SeriesName, string> = {
  hit: 'idempotency_requests_total{outcome="replay"}',
  miss: 'idempotency_requests_total{outcome="new"}',
  conflict: 'idempotency_requests_total{outcome="in_flight_conflict"}',
  error: 'idempotency_requests_total{outcome="store_error"}',
};

/** Which of the audit's answer classes each series should count. */
const SENT: Record<SeriesName, Outcome[]> = { hit: ['replay'], miss: ['first'], conflict: ['conflict'], error: ['error'] };

export interface SeriesCoverage {
  series: SeriesName;
  selector: string;
  present: boolean;
  /** Sum of the matching samples before and after the audit (absent when the series is missing). */
  before?: number;
  after?: number;
  /** Answers of this class the audit received. */
  sent: number;
  status: 'moved' | 'did not move' | 'missing' | 'nothing sent';
}

export interface ObservabilityCoverage {
  metrics: string;
  series: SeriesCoverage[];
  /** Why nothing could be measured (scrape failed), when it could not. */
  error?: string;
}

/** Prometheus text exposition -> sample key (`name{labels}` as written) -> value. */
export function parsePrometheus(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const out: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    const value = Number(m[4]);
    if (Number.isFinite(value)) out.push({ name: m[1]!, labels, value });
  }
  return out;
}

/** Sum of the samples a selector (`name` or `name{label="value",...}`) matches; undefined if none. */
export function selectSum(samples: ReturnType<typeof parsePrometheus>, selector: string): number | undefined {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$/.exec(selector.trim());
  if (!m) return undefined;
  const want = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!] as const);
  const hits = samples.filter((s) => s.name === m[1] && want.every(([k, v]) => s.labels[k] === v));
  return hits.length === 0 ? undefined : hits.reduce((sum, s) => sum + s.value, 0);
}

export function judgeObservability(
  metrics: string,
  before: string,
  after: string,
  sent: Partial<Record<Outcome, number>>,
  selectors: Partial<Record<SeriesName, string>> = {},
): ObservabilityCoverage {
  const b = parsePrometheus(before);
  const a = parsePrometheus(after);
  const series = SERIES.map((name): SeriesCoverage => {
    const selector = selectors[name] ?? DEFAULT_SELECTORS[name];
    const vb = selectSum(b, selector);
    const va = selectSum(a, selector);
    const n = SENT[name].reduce((sum, o) => sum + (sent[o] ?? 0), 0);
    if (va === undefined) return { series: name, selector, present: false, sent: n, status: 'missing' };
    const base = { series: name, selector, present: true, before: vb ?? 0, after: va, sent: n };
    if (n === 0) return { ...base, status: 'nothing sent' };
    return { ...base, status: va > (vb ?? 0) ? 'moved' : 'did not move' };
  });
  return { metrics, series };
}

/** One line for the governance checklist. */
export function coverageText(c: ObservabilityCoverage): string {
  if (c.error) return `not audited: the metrics endpoint could not be scraped (${c.error})`;
  return c.series
    .map((s) =>
      s.present
        ? `${s.series}: ${s.status}${s.status === 'moved' || s.status === 'did not move' ? ` (+${(s.after ?? 0) - (s.before ?? 0)} for ${s.sent} sent)` : ''}`
        : `${s.series}: missing (${s.selector})`,
    )
    .join('; ');
}

export function coverageStatus(c: ObservabilityCoverage): 'pass' | 'deviation' | 'not measured' {
  if (c.error) return 'not measured';
  return c.series.every((s) => s.status === 'moved' || s.status === 'nothing sent') ? 'pass' : 'deviation';
}
