// Plain-text summaries of evidence and figures, shared by the file reporters. Everything here
// comes from the (already redacted) report; nothing is added from outside it.
import type { ExchangeRecord } from '../core/exchange.js';
import type { LatencySummary } from '../metrics/histogram.js';
import { OUTCOMES } from '../core/outcome.js';
import type { EndpointInfo, Outcome, Report } from './model.js';

/** Longest body excerpt in a one-line evidence summary. */
export const BODY_EXCERPT = 200;

export function excerpt(text: string, max = BODY_EXCERPT): string {
  const flat = text.replace(/\s*\r?\n\s*/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export const ms = (n: number): string =>
  `${
    Number.isInteger(n)
      ? n
      : n
          .toFixed(n < 10 ? 3 : 1)
          .replace(/0+$/, '')
          .replace(/\.$/, '')
  } ms`;

export function statusText(e: ExchangeRecord): string {
  return e.response ? String(e.response.status) : (e.error ?? 'no response');
}

/** `#12 replay: POST http://h/payments key=k1 tenant=alice -> 201 (3.2 ms) body {"id":1}` */
export function evidenceLine(e: ExchangeRecord): string {
  const who = `${e.key !== undefined ? ` key=${e.key}` : ' (no key)'}${e.tenant ? ` tenant=${e.tenant}` : ''}`;
  const body = e.response?.body ? ` body ${excerpt(e.response.body)}` : '';
  return `#${e.seq} ${e.label}: ${e.request.method} ${e.request.url}${who} -> ${statusText(e)} (${ms(e.durationMs)})${body}`;
}

/** Several lines per exchange: request line and body, response status, headers and body. */
export function evidenceBlock(e: ExchangeRecord): string {
  const lines = [`#${e.seq} ${e.label} at +${ms(e.startedAt)}, took ${ms(e.durationMs)}`];
  lines.push(`> ${e.request.method} ${e.request.url}`);
  for (const [k, v] of Object.entries(e.request.headers)) lines.push(`> ${k}: ${v}`);
  if (e.request.body !== undefined) lines.push(`> ${excerpt(e.request.body, 1000)}`);
  if (e.response) {
    lines.push(`< ${e.response.status} (${e.response.bodyBytes} bytes, sha256 ${e.response.bodySha256.slice(0, 12)})`);
    for (const [k, v] of Object.entries(e.response.headers)) lines.push(`< ${k}: ${v}`);
    if (e.response.body) lines.push(`< ${excerpt(e.response.body, 1000)}`);
  } else {
    lines.push(`! ${e.error ?? 'no response'}`);
  }
  return lines.join('\n');
}

/**
 * Facts that exist to draw a picture (the HTML race timeline and sequence diagrams): long arrays of
 * timestamps and steps that say nothing as text, so text formats leave them out. JSON and SARIF keep
 * every fact.
 */
export const PICTURE_FACTS: ReadonlySet<string> = new Set(['sequence', 'arrivalsMs', 'executionsMs']);

/** Facts a reader can read as text: all but the picture-only ones, keys sorted. */
export function textFactKeys(facts: Record<string, unknown> | undefined): string[] {
  return Object.keys(facts ?? {})
    .filter((k) => !PICTURE_FACTS.has(k))
    .sort();
}

/** Facts as `name=value` pairs in a stable order (keys sorted), picture-only facts left out. */
export function factsText(facts: Record<string, unknown> | undefined): string {
  if (!facts) return '';
  return textFactKeys(facts)
    .map((k) => `${k}=${typeof facts[k] === 'string' ? facts[k] : JSON.stringify(facts[k])}`)
    .join(', ');
}

export { OUTCOMES };

/** Latency rows in a stable order: endpoints as declared, then outcomes in OUTCOMES order. */
export function latencyRows(report: Report): Array<{ endpoint: string; outcome: Outcome; s: LatencySummary }> {
  const rows: Array<{ endpoint: string; outcome: Outcome; s: LatencySummary }> = [];
  for (const endpoint of endpointNames(report)) {
    const byOutcome = report.latency[endpoint];
    if (!byOutcome) continue;
    for (const outcome of OUTCOMES) {
      const s = byOutcome[outcome];
      if (s) rows.push({ endpoint, outcome, s });
    }
  }
  return rows;
}

/** Declared endpoints first, then any endpoint only named by results or latency (older reports). */
export function endpointNames(report: Report): string[] {
  const names = (report.endpoints ?? []).map((e) => e.name);
  for (const n of [...report.results.map((r) => r.endpoint), ...Object.keys(report.latency ?? {})]) {
    if (!names.includes(n)) names.push(n);
  }
  return names;
}

export function endpointInfo(report: Report, name: string): EndpointInfo | undefined {
  return (report.endpoints ?? []).find((e) => e.name === name);
}
