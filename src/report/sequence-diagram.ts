// A sequence diagram for a chaos finding, as inline SVG (no script): lifelines for the client, the
// fault proxy (when an attempt went through one) and the server, one row per step of the round the
// check recorded in `facts.sequence` (src/checks/chaos/sequence.ts): each attempt and how it ended,
// where the proxy lost or duplicated the answer, the store outage, and the executions the server's
// ledger saw, the second and later ones standing out. Rows are in time order (not to scale); each
// carries its time. Everything comes from the report and is escaped; malformed steps are dropped.
import { html } from './escape.js';

export interface Step {
  t: number;
  kind: 'send' | 'answer' | 'fault' | 'outage' | 'execution' | 'gap';
  attempt?: number;
  role?: string;
  route?: 'proxy' | 'direct';
  faults?: string[];
  fault?: string;
  outcome?: 'ok' | 'fail' | 'unknown';
  status?: number;
  error?: string;
  id?: string;
  upstreamStatuses?: number[];
  delayMs?: number;
  arrivedT?: number;
  repeat?: number;
  lastAttempt?: number;
  omitted?: number;
}

const KINDS = new Set(['send', 'answer', 'fault', 'outage', 'execution', 'gap']);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown): v is string => typeof v === 'string';

/** The steps of `facts.sequence`, keeping only well-formed fields (a report is input). */
export function stepsOf(facts: Record<string, unknown> | undefined): Step[] {
  const raw = facts?.sequence;
  if (!Array.isArray(raw)) return [];
  const out: Step[] = [];
  for (const r of raw as unknown[]) {
    if (!r || typeof r !== 'object') continue;
    const o = r as Record<string, unknown>;
    if (!num(o.t) || !str(o.kind) || !KINDS.has(o.kind)) continue;
    const s: Step = { t: o.t, kind: o.kind as Step['kind'] };
    for (const k of ['attempt', 'status', 'delayMs', 'arrivedT', 'repeat', 'lastAttempt', 'omitted'] as const) if (num(o[k])) s[k] = o[k];
    for (const k of ['role', 'fault', 'error', 'id'] as const) if (str(o[k])) s[k] = o[k];
    if (o.route === 'proxy' || o.route === 'direct') s.route = o.route;
    if (o.outcome === 'ok' || o.outcome === 'fail' || o.outcome === 'unknown') s.outcome = o.outcome;
    if (Array.isArray(o.faults)) s.faults = o.faults.filter(str);
    if (Array.isArray(o.upstreamStatuses)) s.upstreamStatuses = o.upstreamStatuses.filter(num);
    out.push(s);
  }
  return out;
}

/** What each fault does at the proxy, in words. */
const FAULT_TEXT: Record<string, string> = {
  'drop-response-after-upstream': 'answer lost: connection reset',
  'stall-response': 'answer held back',
  'truncate-body': 'answer cut short',
  'gateway-status': 'own gateway error instead',
  'error-after-upstream': 'own 5xx instead',
  'reset-before-upstream': 'reset before forwarding',
  'duplicate-upstream': 'request sent upstream twice',
  latency: 'delayed',
};

const ROW = 26;
const TOP = 44;
const GUTTER = 64;
const WIDTH = 600;

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const ms = (t: number): string => `+${t < 10 ? t.toFixed(1) : Math.round(t)} ms`;

function attemptName(s: Step): string {
  const n = s.repeat && s.repeat > 1 && s.lastAttempt !== undefined ? `${s.attempt}–${s.lastAttempt}` : String(s.attempt ?? '?');
  const role = s.role === 'poll' ? 'poll' : s.role === 'verify' ? 'repeat' : s.role === 'abandon' ? 'original (abandoned)' : s.role;
  return `${role ? `${role} ` : 'attempt '}${n}${s.repeat && s.repeat > 1 ? ` (×${s.repeat})` : ''}`;
}

function answerText(s: Step): string {
  const what = s.status !== undefined ? String(s.status) : (s.error ?? 'no answer');
  const id = s.id ? ` ${s.id}` : '';
  return `${s.outcome === 'unknown' ? '? ' : ''}${what}${id}${s.repeat && s.repeat > 1 ? ` ×${s.repeat}` : ''}`;
}

export function sequenceDiagram(steps: Step[]): string {
  if (steps.length === 0) return '';
  const proxied = steps.some((s) => s.route === 'proxy' || s.kind === 'fault');
  const X = proxied ? { client: GUTTER + 50, proxy: GUTTER + 270, server: WIDTH - 50 } : { client: GUTTER + 50, proxy: 0, server: WIDTH - 80 };
  const rows: string[] = [];
  let y = TOP;
  // The route of the attempt in flight, to know where its answer comes from.
  const routeOf = new Map<number | undefined, 'proxy' | 'direct'>();
  let executions = 0;
  const label = (x1: number, x2: number, yy: number, text: string, cls = ''): string =>
    `<text class="msg${cls}" x="${((x1 + x2) / 2).toFixed(1)}" y="${yy - 4}" text-anchor="middle">${html(clip(text, 34))}</text>`;
  const arrow = (x1: number, x2: number, yy: number, cls: string, text: string, title: string): string =>
    `<g class="arrow ${cls}"><title>${html(title)}</title><line x1="${x1}" y1="${yy}" x2="${x2}" y2="${yy}"/><path d="M${x2} ${yy} l${x2 > x1 ? -7 : 7} -4 v8 z"/>${label(x1, x2, yy, text)}</g>`;
  const time = (t: number, yy: number): string => `<text class="time" x="4" y="${yy + 4}">${html(ms(t))}</text>`;

  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    y += ROW;
    if (s.kind === 'send') {
      const via = s.route === 'proxy' && proxied;
      routeOf.set(s.attempt, via ? 'proxy' : 'direct');
      const faults = s.faults && s.faults.length > 0 ? ` (${s.faults.join(', ')})` : '';
      const name = attemptName(s);
      rows.push(
        time(s.t, y),
        arrow(X.client, via ? X.proxy : X.server, y, 'send', name, `${name} sent ${via ? `through the fault proxy${faults}` : 'to the server'} at ${ms(s.t)}`),
      );
      // The proxy forwards unless the fault that acted on this attempt refused to.
      const next = steps.slice(i + 1).find((n) => n.kind === 'fault' || n.kind === 'send');
      const acted = next?.kind === 'fault' ? next.fault : undefined;
      if (via && acted !== 'reset-before-upstream') {
        y += ROW;
        rows.push(arrow(X.proxy, X.server, y, 'send forward', 'forwarded', `the proxy forwarded ${name} to the server`));
      }
      // The proxy's event is recorded when the upstream has answered both: the copy left right after the original.
      if (via && acted === 'duplicate-upstream') {
        y += ROW;
        rows.push(arrow(X.proxy, X.server, y, 'send forward duplicate', 'duplicate', 'the proxy sent the same request upstream again'));
      }
    } else if (s.kind === 'answer') {
      const from = routeOf.get(s.attempt) === 'proxy' ? X.proxy : X.server;
      const cls = s.outcome === 'ok' ? 'ok' : s.outcome === 'fail' ? 'fail' : 'unknown';
      const text = answerText(s);
      rows.push(time(s.t, y), arrow(from, X.client, y, `answer ${cls}`, text, `${attemptName(s)} ended ${s.outcome ?? ''}: ${text} at ${ms(s.t)}`));
    } else if (s.kind === 'fault') {
      const statuses = s.upstreamStatuses ?? [];
      statuses.forEach((st, k) => {
        if (k > 0) y += ROW;
        rows.push(arrow(X.server, X.proxy, y, 'answer upstream', String(st), `the server answered the proxy ${st}`));
      });
      if (statuses.length > 0) y += ROW;
      const text = FAULT_TEXT[s.fault ?? ''] ?? s.fault ?? 'fault';
      rows.push(
        time(s.t, y),
        `<g class="fault"><title>${html(`fault ${s.fault ?? ''} at ${ms(s.t)}${statuses.length > 0 ? ` after the upstream answered ${statuses.join(', ')}` : ''}`)}</title>` +
          `<path class="cross" d="M${X.proxy - 6} ${y - 6} l12 12 M${X.proxy + 6} ${y - 6} l-12 12"/>` +
          `<text class="note" x="${X.proxy - 12}" y="${y + 4}" text-anchor="end">${html(clip(text, 30))}</text></g>`,
      );
    } else if (s.kind === 'outage') {
      rows.push(
        time(s.t, y),
        `<g class="outage"><title>${html(`the idempotency store was made unavailable${s.delayMs !== undefined ? ` for ${s.delayMs} ms` : ''} at ${ms(s.t)}`)}</title>` +
          `<rect x="${X.server - 8}" y="${y - 10}" width="16" height="${ROW}"/><text class="note" x="${X.server - 14}" y="${y + 4}" text-anchor="end">${html(`store down${s.delayMs !== undefined ? ` ${s.delayMs} ms` : ''}`)}</text></g>`,
      );
    } else if (s.kind === 'execution') {
      executions++;
      const extra = executions > 1;
      rows.push(
        time(s.t, y),
        `<g class="execution${extra ? ' extra' : ''}"><title>${html(`execution ${executions}${s.id ? ` (${s.id})` : ''}: arrived ${s.arrivedT !== undefined ? ms(s.arrivedT) : '?'}, side effect at ${ms(s.t)} (ledger, server clock)`)}</title>` +
          `<rect x="${X.server - 7}" y="${y - 7}" width="14" height="14" rx="3"/><text class="note" x="${X.server - 14}" y="${y + 4}" text-anchor="end">${html(clip(`executed #${executions}${s.id ? ` ${s.id}` : ''}`, 30))}</text></g>`,
      );
    } else {
      rows.push(`<text class="gap" x="${WIDTH / 2}" y="${y + 4}" text-anchor="middle">${html(`… ${s.omitted ?? 'some'} steps left out …`)}</text>`);
    }
  }
  const height = y + ROW;
  const lanes = (proxied ? (['client', 'proxy', 'server'] as const) : (['client', 'server'] as const)).map((name) => {
    const x = X[name];
    const title = name === 'proxy' ? 'fault proxy' : name;
    return `<g class="lifeline"><rect x="${x - 45}" y="6" width="90" height="22" rx="4"/><text x="${x}" y="21" text-anchor="middle">${title}</text><line x1="${x}" y1="28" x2="${x}" y2="${height - 6}"/></g>`;
  });
  const sends = steps.filter((s) => s.kind === 'send').length;
  const faults = steps.filter((s) => s.kind === 'fault').map((s) => s.fault);
  const aria = `sequence diagram: ${sends} attempt(s)${faults.length > 0 ? `, fault ${faults.join(', ')}` : ''}, ${executions} execution(s) in the ledger`;
  return (
    `<figure class="sequence"><svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${html(aria)}">${lanes.join('')}${rows.join('')}</svg>` +
    `<figcaption>What happened to the key, in time order (rows not to scale): ${html(aria.replace('sequence diagram: ', ''))}${executions > 1 ? '; executions after the first are highlighted' : ''}.</figcaption></figure>`
  );
}
