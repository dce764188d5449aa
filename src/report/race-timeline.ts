// A race timeline for a concurrent-duplicates result, as inline SVG (no script, so the report's
// CSP is untouched): one lane per copy with when it was sent and when it was answered, on one time
// axis; copies that executed (a 2xx first answer, not a marked replay) stand out. When the server's
// ledger reported when the copies arrived and when each execution began and ended (facts
// `arrivalsMs`, `executionsMs`: ms from the burst's first send, put on the client's clock by the
// check), a server lane shows them. The ledger does not say which copy each arrival was, so they
// share that lane rather than being guessed onto the copies' lanes. Labels are escaped.
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

/** What the server's ledger told about the burst, in ms from its first send (client clock). */
export interface ServerTimes {
  arrivalsMs?: number[];
  /** [arrived, executed] per execution. */
  executionsMs?: Array<[number, number]>;
}

const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/** The server times a result's facts carry, ignoring anything malformed (reports are input). */
export function serverTimesOf(facts: Record<string, unknown> | undefined): ServerTimes {
  const arrivals = Array.isArray(facts?.arrivalsMs) ? (facts.arrivalsMs as unknown[]).filter(finite) : [];
  const executions = Array.isArray(facts?.executionsMs)
    ? (facts.executionsMs as unknown[]).filter((p): p is [number, number] => Array.isArray(p) && p.length === 2 && finite(p[0]) && finite(p[1]))
    : [];
  return { ...(arrivals.length > 0 ? { arrivalsMs: arrivals } : {}), ...(executions.length > 0 ? { executionsMs: executions } : {}) };
}

const f1 = (n: number): string => n.toFixed(1);

export function raceTimeline(evidence: ExchangeRecord[], server: ServerTimes = {}): string {
  if (evidence.length < 2) return '';
  const arrivals = server.arrivalsMs ?? [];
  const executions = server.executionsMs ?? [];
  const hasServer = arrivals.length > 0 || executions.length > 0;
  const t0 = Math.min(...evidence.map((e) => e.startedAt));
  const span = Math.max(...evidence.map((e) => e.startedAt + e.durationMs - t0), ...arrivals, ...executions.flat(), 0.001);
  const x = (ms: number): number => LEFT + (Math.max(0, ms) / span) * (WIDTH - LEFT - 40);
  const lanes = evidence.map((e, i) => {
    const y = 10 + i * LANE;
    const ran = executed(e);
    const status = e.response ? String(e.response.status) : (e.error ?? 'no answer');
    const x1 = x(e.startedAt - t0);
    const x2 = Math.max(x(e.startedAt - t0 + e.durationMs), x1 + 2);
    return (
      `<g class="lane${ran ? ' executed' : ''}"><title>${html(`#${e.seq} ${e.label}: sent +${(e.startedAt - t0).toFixed(2)} ms, answered ${status} after ${e.durationMs.toFixed(2)} ms${ran ? ' (executed)' : ''}`)}</title>` +
      `<text x="4" y="${y + 13}">${html(e.label.slice(0, 18))}</text>` +
      `<rect x="${f1(x1)}" y="${y + 4}" width="${f1(x2 - x1)}" height="12" rx="2"/>` +
      `<circle class="sent" cx="${f1(x1)}" cy="${y + 10}" r="3"/><circle class="answered" cx="${f1(x2)}" cy="${y + 10}" r="3"/>` +
      `<text class="status" x="${f1(Math.min(x2 + 4, WIDTH - 34))}" y="${y + 13}">${html(status.slice(0, 12))}</text></g>`
    );
  });
  let serverLane = '';
  if (hasServer) {
    const y = 14 + evidence.length * LANE;
    const marks = [
      ...executions.map(
        ([a, b]) =>
          `<rect class="execution" x="${f1(x(a))}" y="${y + 3}" width="${f1(Math.max(x(b) - x(a), 2))}" height="14" rx="2"><title>execution: arrived +${a.toFixed(3)} ms, side effect recorded +${b.toFixed(3)} ms (ledger)</title></rect>`,
      ),
      ...arrivals.map(
        (a) =>
          `<line class="arrival" x1="${f1(x(a))}" x2="${f1(x(a))}" y1="${y}" y2="${y + 20}"><title>a copy finished arriving at +${a.toFixed(3)} ms (ledger)</title></line>`,
      ),
    ];
    serverLane = `<g class="server"><text x="4" y="${y + 14}">server (ledger)</text>${marks.join('')}</g>`;
  }
  const height = evidence.length * LANE + (hasServer ? 28 : 0) + 34;
  const axis = `<text class="axis" x="${LEFT}" y="${height - 6}">0 ms</text><text class="axis" x="${WIDTH - 10}" y="${height - 6}" text-anchor="end">+${span.toFixed(1)} ms</text>`;
  const ran = evidence.filter(executed).length;
  const serverText = hasServer
    ? `; server lane: ticks = a copy finished arriving${executions.length > 0 ? ', blocks = an execution from arrival to side effect' : ''} (the ledger does not say which copy)`
    : '';
  return (
    `<figure class="timeline"><svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="race timeline: ${evidence.length} copies, ${ran} executed">${lanes.join('')}${serverLane}${axis}</svg>` +
    `<figcaption>Race timeline: ${evidence.length} copies with one key, ${ran} executed (highlighted); bar = sent to answered${serverText}.</figcaption></figure>`
  );
}
