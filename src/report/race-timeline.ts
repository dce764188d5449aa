// A race timeline for a concurrent-duplicates result, as inline SVG (no script, so the report's
// CSP is untouched): one lane per copy with when it was sent and when it was answered, on one time
// axis; copies that executed (a 2xx first answer, not a marked replay) stand out. When the reference
// server's ledger reported when each execution began (`facts.arrivalsMs`, ms from the first send),
// those are marked too. Everything shown comes from the report; labels are escaped.
import { html } from './escape.js';
import type { ExchangeRecord } from '../core/exchange.js';

const LANE = 22;
const LEFT = 120;
const WIDTH = 640;

/** A copy executed when it got a 2xx that the server did not mark as a replay. */
export function executed(e: ExchangeRecord): boolean {
  if (!e.response || e.response.status < 200 || e.response.status >= 300) return false;
  const h = e.response.headers;
  return !Object.keys(h).some((k) => /replay/i.test(k) && /^(true|\?1)$/i.test(String(h[k])));
}

export function raceTimeline(evidence: ExchangeRecord[], arrivalsMs: number[] = []): string {
  if (evidence.length < 2) return '';
  const t0 = Math.min(...evidence.map((e) => e.startedAt));
  const end = Math.max(...evidence.map((e) => e.startedAt + e.durationMs), ...arrivalsMs.map((a) => t0 + a));
  const span = Math.max(end - t0, 0.001);
  const x = (t: number): number => LEFT + ((t - t0) / span) * (WIDTH - LEFT - 10);
  const height = evidence.length * LANE + 34;
  const lanes = evidence.map((e, i) => {
    const y = 10 + i * LANE;
    const ran = executed(e);
    const status = e.response ? String(e.response.status) : (e.error ?? 'no answer');
    const x1 = x(e.startedAt);
    const x2 = Math.max(x(e.startedAt + e.durationMs), x1 + 2);
    return (
      `<g class="lane${ran ? ' executed' : ''}"><title>${html(`#${e.seq} ${e.label}: sent +${(e.startedAt - t0).toFixed(2)} ms, answered ${status} after ${e.durationMs.toFixed(2)} ms${ran ? ' (executed)' : ''}`)}</title>` +
      `<text x="4" y="${y + 13}">${html(e.label.slice(0, 18))}</text>` +
      `<rect x="${x1.toFixed(1)}" y="${y + 4}" width="${(x2 - x1).toFixed(1)}" height="12" rx="2"/>` +
      `<circle class="sent" cx="${x1.toFixed(1)}" cy="${y + 10}" r="3"/><circle class="answered" cx="${x2.toFixed(1)}" cy="${y + 10}" r="3"/>` +
      `<text class="status" x="${Math.min(x2 + 4, WIDTH - 30).toFixed(1)}" y="${y + 13}">${html(status)}</text></g>`
    );
  });
  const arrivals = arrivalsMs.map(
    (a) =>
      `<line class="arrival" x1="${x(t0 + a).toFixed(1)}" x2="${x(t0 + a).toFixed(1)}" y1="6" y2="${height - 24}"><title>execution began at +${a.toFixed(2)} ms (ledger)</title></line>`,
  );
  const axis = `<text class="axis" x="${LEFT}" y="${height - 6}">0 ms</text><text class="axis" x="${WIDTH - 10}" y="${height - 6}" text-anchor="end">+${span.toFixed(1)} ms</text>`;
  const ran = evidence.filter(executed).length;
  return (
    `<figure class="timeline"><svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="race timeline: ${evidence.length} copies, ${ran} executed">${lanes.join('')}${arrivals.join('')}${axis}</svg>` +
    `<figcaption>Race timeline: ${evidence.length} copies with one key, ${ran} executed (highlighted); bar = sent to answered${arrivalsMs.length > 0 ? '; vertical lines = executions the ledger saw begin' : ''}.</figcaption></figure>`
  );
}
