// Renderers of an ObserveReport: terminal, JSON, Markdown and HTML (with a retry-interval histogram
// per client version, as inline SVG: no script). Keys and credentials never appear: only counts.
import Table from 'cli-table3';
import { html, md, mdCode, printable } from '../../report/escape.js';
import type { ClientRetryBehaviour, GroupStats } from '../observe/analyze.js';
import type { ObserveReport } from '../observe/observe.js';
import { page } from './page.js';

export const OBSERVE_FORMATS = ['terminal', 'json', 'md', 'html'] as const;
export type ObserveFormat = (typeof OBSERVE_FORMATS)[number];

const pct = (n: number, d: number): string => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);
const fmtMs = (ms: number): string =>
  ms >= 60_000 ? `${(ms / 60_000).toFixed(1)}m` : ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : `${ms.toFixed(ms < 10 ? 2 : 0)}ms`;

function headline(r: ObserveReport): string {
  const t = r.totals;
  const span = r.firstTime !== null && r.lastTime !== null ? ` over ${fmtMs(r.lastTime - r.firstTime)}` : '';
  return `${r.records} requests (${r.input}${span}), ${r.mutations} mutations: ${pct(t.withKey, t.mutations)} with a key, ${t.keyedRetries} keyed retries, ${t.keylessRetries} retries without a key, ${t.keysReusedWithOtherPayload} keys reused with another payload, ${t.keysUnderTwoCredentials} keys under two credentials, 409 ${pct(t.status409, t.mutations)}, 422 ${pct(t.status422, t.mutations)}`;
}

function caveats(r: ObserveReport): string[] {
  const out: string[] = [];
  if (r.malformed > 0) out.push(`${r.malformed} line(s)/entries could not be read (first at ${r.malformedAt.join(', ')})`);
  if (r.outOfOrder > 0) out.push(`${r.outOfOrder} request(s) earlier than one before them: intervals assume chronological order`);
  if (r.evictedEarly > 0) out.push(`${r.evictedEarly} key(s) or fingerprints forgotten before their window ended (memory cap): retry counts are lower bounds`);
  return out;
}

const behaviourLine = (c: ClientRetryBehaviour): string =>
  c.retries === 0
    ? 'no keyed retries seen'
    : `${c.retries} retries, ${c.pattern}, jitter ${c.jitter}; interval p50 ${fmtMs(c.intervalMs!.p50)}, p90 ${fmtMs(c.intervalMs!.p90)}, max ${fmtMs(c.intervalMs!.max)}`;

const groupCells = (g: GroupStats): (string | number)[] => [
  g.mutations,
  pct(g.withKey, g.mutations),
  g.keyedRetries,
  g.keylessRetries,
  g.keysReusedWithOtherPayload,
  g.keysUnderTwoCredentials,
  pct(g.status409, g.mutations),
  pct(g.status422, g.mutations),
];
const GROUP_HEAD = ['mutations', 'with key', 'keyed retries', 'retries w/o key', 'reused, other payload', 'keys under 2 credentials', '409', '422'];

function terminal(r: ObserveReport): string {
  const out = [printable(headline(r))];
  const t = new Table({ head: ['endpoint', 'client', ...GROUP_HEAD], style: { head: [], border: [] }, wordWrap: true });
  for (const g of r.groups) t.push([printable(g.endpoint), printable(g.client), ...groupCells(g)]);
  if (r.groups.length) out.push(t.toString());
  out.push('Retry behaviour by client version:');
  for (const c of r.clients) out.push(printable(`  ${c.client}: ${behaviourLine(c)}`));
  for (const c of caveats(r)) out.push(`note: ${c}`);
  return out.join('\n') + '\n';
}

function markdown(r: ObserveReport): string {
  const lines = [
    `# Observed idempotency behaviour: ${md(r.source)}`,
    '',
    md(headline(r)),
    '',
    '## By endpoint and client version',
    '',
    `| endpoint | client | ${GROUP_HEAD.join(' | ')} |`,
    `|---|---|${GROUP_HEAD.map(() => '---:').join('|')}|`,
    ...r.groups.map((g) => `| ${mdCode(g.endpoint, true)} | ${mdCode(g.client, true)} | ${groupCells(g).join(' | ')} |`),
    '',
    '## Retry behaviour by client version',
    '',
    `| client | retries | pattern | jitter | p50 | p90 | max | ${r.clients[0]?.histogram.map((b) => md(b.label)).join(' | ') ?? ''} |`,
    `|---|---:|---|---|---:|---:|---:|${r.clients[0]?.histogram.map(() => '---:').join('|') ?? ''}|`,
    ...r.clients.map(
      (c) =>
        `| ${mdCode(c.client, true)} | ${c.retries} | ${c.pattern} | ${c.jitter} | ${c.intervalMs ? fmtMs(c.intervalMs.p50) : '-'} | ${c.intervalMs ? fmtMs(c.intervalMs.p90) : '-'} | ${c.intervalMs ? fmtMs(c.intervalMs.max) : '-'} | ${c.histogram.map((b) => b.count).join(' | ')} |`,
    ),
    '',
  ];
  const notes = caveats(r);
  if (notes.length) lines.push('## Notes', '', ...notes.map((n) => `- ${md(n)}`), '');
  return lines.join('\n');
}

function histogramSvg(c: ClientRetryBehaviour): string {
  const max = Math.max(1, ...c.histogram.map((b) => b.count));
  const w = 64;
  const h = 120;
  const bars = c.histogram
    .map((b, i) => {
      const bh = Math.round((b.count / max) * h);
      return (
        `<rect x="${i * w + 8}" y="${h - bh + 16}" width="${w - 16}" height="${bh}" fill="#1d4ed8"><title>${html(b.label)}: ${b.count}</title></rect>` +
        `<text x="${i * w + w / 2}" y="${h - bh + 12}" text-anchor="middle">${b.count}</text>` +
        `<text x="${i * w + w / 2}" y="${h + 32}" text-anchor="middle">${html(b.label)}</text>`
      );
    })
    .join('');
  return `<svg role="img" aria-label="retry intervals of ${html(c.client)}" width="${c.histogram.length * w}" height="${h + 40}" viewBox="0 0 ${c.histogram.length * w} ${h + 40}">${bars}</svg>`;
}

function htmlReport(r: ObserveReport): string {
  const t = r.totals;
  const rows = r.groups
    .map(
      (g) =>
        `<tr><td><code>${html(g.endpoint)}</code></td><td><code>${html(g.client)}</code></td>${groupCells(g)
          .map((c) => `<td class="n">${html(c)}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  const clients = r.clients
    .map(
      (c) => `<h3><code>${html(c.client)}</code></h3>
<p>${html(behaviourLine(c))}${c.keylessRetries ? `; ${c.keylessRetries} retries without a key` : ''}</p>
${c.retries ? histogramSvg(c) : ''}
${c.byRetry.length ? `<table><thead><tr><th>retry</th><th>count</th><th>mean interval</th><th>coefficient of variation</th></tr></thead><tbody>${c.byRetry.map((b) => `<tr><td>${b.retry === 4 ? '4+' : b.retry}</td><td class="n">${b.count}</td><td class="n">${html(fmtMs(b.meanMs))}</td><td class="n">${b.cv}</td></tr>`).join('')}</tbody></table>` : ''}`,
    )
    .join('\n');
  const body = `<h1>Observed idempotency behaviour</h1>
<p class="meta">${html(r.source)} &middot; ${html(r.input)}${r.spec ? ` &middot; endpoints from ${html(r.spec)}` : ''}</p>
<div class="cards"><div class="card"><b>${r.mutations}</b>mutations</div><div class="card"><b>${pct(t.withKey, t.mutations)}</b>with a key</div><div class="card"><b>${t.keyedRetries}</b>keyed retries</div><div class="card"><b>${t.keylessRetries}</b>retries without a key</div><div class="card"><b>${t.keysReusedWithOtherPayload}</b>keys reused, other payload</div><div class="card"><b>${t.keysUnderTwoCredentials}</b>keys under two credentials</div></div>
<h2>By endpoint and client version</h2>
<table><thead><tr><th>endpoint</th><th>client</th>${GROUP_HEAD.map((h) => `<th>${html(h)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>
<h2>Retry intervals by client version</h2>
<p class="meta">A retry is a request reusing a key seen within ${html(fmtMs(r.windowMs))} under the same credential; the interval is the time since the previous attempt.</p>
${clients}
${
  caveats(r).length
    ? `<h2>Notes</h2><ul>${caveats(r)
        .map((c) => `<li>${html(c)}</li>`)
        .join('')}</ul>`
    : ''
}`;
  return page(`Observed idempotency behaviour: ${r.source}`, body);
}

export function renderObserve(r: ObserveReport, format: ObserveFormat): string {
  switch (format) {
    case 'terminal':
      return terminal(r);
    case 'json':
      return JSON.stringify(r, null, 2) + '\n';
    case 'md':
      return markdown(r);
    case 'html':
      return htmlReport(r);
  }
}
