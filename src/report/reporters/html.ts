// One self-contained HTML page that works offline: verdict overview, endpoints with maturity,
// latency percentile-distribution charts by outcome (uPlot, inlined from node_modules at render
// time), findings with evidence and a sortable, filterable results table (small vanilla JS).
// Every report string is HTML-escaped; chart data travels as JSON in a non-executed
// <script type="application/json"> with `<` escaped; a CSP with script hashes forbids the rest.
// Deterministic: no clock, no randomness, fixed chart sizes, so it can be screenshot.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { html, jsonForScript } from '../escape.js';
import { endpointNames, evidenceBlock, evidenceLine, factsText, latencyRows, OUTCOMES } from '../evidence.js';
import { governance, MATURITY_TEXT } from '../governance.js';
import { executiveSummary } from '../executive.js';
import { raceTimeline, serverTimesOf } from '../race-timeline.js';
import { sequenceDiagram, stepsOf } from '../sequence-diagram.js';
import { distributionOf, percentilePlot } from '../percentile-plot.js';
import { VERDICT_ORDER } from '../../core/verdict.js';
import type { Report, ResultRecord } from '../model.js';
import type { Reporter } from '../reporter.js';

interface Asset {
  js: string;
  css: string;
  version: string;
}

let uplot: Asset | undefined;

/** uPlot's browser build and stylesheet, read once from node_modules. */
export function uplotAsset(): Asset {
  if (!uplot) {
    const require = createRequire(import.meta.url);
    const read = (spec: string): string => readFileSync(require.resolve(spec), 'utf8');
    const pkg = JSON.parse(read('uplot/package.json')) as { version: string };
    uplot = {
      // Neither can end its element early, whatever a future build contains.
      js: read('uplot/dist/uPlot.iife.min.js')
        .replace(/<\/(script)/gi, '<\\/$1')
        .replace(/<!--/g, '<\\!--'),
      css: read('uplot/dist/uPlot.min.css').replace(/<\/(style)/gi, '<\\/$1'),
      version: pkg.version,
    };
  }
  return uplot;
}

/** Colours per outcome, shared by the charts (JS) and the legend swatches (CSS). */
const COLORS: Record<string, string> = {
  first: '#2563eb',
  replay: '#16a34a',
  conflict: '#d97706',
  mismatch: '#9333ea',
  rejected: '#64748b',
  error: '#dc2626',
  timeout: '#be123c',
};

let own: { css: string; js: string } | undefined;

/**
 * The report's own stylesheet and browser script (charts, results table), kept as asset files
 * beside this module's source and read once, like uPlot. The script is static: it reads report
 * data only from the JSON data block and the DOM, so nothing from the report is evaluated as code.
 */
export function reportAssets(): { css: string; js: string } {
  if (!own) {
    // src/report/reporters/ (vitest) and dist/report/reporters/ (built) both sit three levels below the package root.
    const read = (name: string): string => readFileSync(new URL(`../../../src/report/reporters/assets/${name}`, import.meta.url), 'utf8');
    own = {
      css: read('report.css').replace(/<\/(style)/gi, '<\\/$1'),
      js: read('report.js')
        .trimEnd()
        .replace(/<\/(script)/gi, '<\\/$1'),
    };
  }
  return own;
}

// Sort keys of the results table: what needs attention first.
const RANK: Record<string, number> = { violation: 0, deviation: 1, observation: 2 };
const VERDICT_RANK: Record<string, number> = VERDICT_ORDER;

const badge = (cls: string, text: string): string => `<span class="badge ${cls}">${html(text)}</span>`;

const num = (n: number): string => n.toFixed(3);

function headerHtml(report: Report): string {
  const s = report.summary;
  const meta = [
    ['target', report.target],
    ['profile', report.profile],
    ['seed', report.seed],
    ['started', report.startedAt],
    ['duration', `${(report.durationMs / 1000).toFixed(1)} s`],
    ...(report.scenario.file ? [['scenario file', report.scenario.file]] : []),
  ]
    .map(([k, v]) => `<span>${html(k!)} <code>${html(v!)}</code></span>`)
    .join('');
  const cards: Array<[string, number]> = [
    ['passed', s.counts.pass],
    ['failed', s.counts.fail],
    ['violations', s.levels.violation],
    ['deviations', s.levels.deviation],
    ['observations', report.results.filter((r) => r.level === 'observation' && (r.verdict === 'pass' || r.verdict === 'fail')).length],
    ['skipped', s.counts.skip],
    ['inconclusive', s.counts.inconclusive ?? 0],
    ['errors', s.counts.error],
  ];
  return `<header>
<h1>idemaudit report: ${html(report.scenario.name)} ${badge(`v-${s.verdict}`, s.verdict.toUpperCase())}</h1>
${report.scenario.description ? `<p>${html(report.scenario.description)}</p>\n` : ''}<div class="meta">${meta}</div>
${s.reason ? `<p><strong>Incomplete:</strong> ${html(s.reason)}</p>\n` : ''}<section id="overview" class="cards">${cards.map(([k, v]) => `<div class="card"><b>${v}</b>${html(k)}</div>`).join('')}</section>
<p class="muted">Fails on ${html(s.failOn)} and above.${report.exchangesDropped > 0 ? ` ${report.exchangesDropped} exchanges beyond the report's bound were counted but not kept.` : ''}</p>
</header>`;
}

/** First screen: what is at risk and what to do. */
function executiveHtml(report: Report): string {
  const e = executiveSummary(report);
  const risks = e.risks.map(
    (r) => `<li><strong><code>${html(r.endpoint)}</code></strong> (${html(r.risk)} risk, ${html(r.level)}): ${html(r.impact)} What to do: ${html(r.fix)}</li>`,
  );
  return `<section id="executive">
<h2>Executive summary</h2>
<p><strong>${html(e.headline)}</strong></p>
${risks.length > 0 ? `<ul>${risks.join('')}</ul>\n` : ''}${e.loadOnly.length > 0 ? `<p>Load only, no contract checks (maturity not graded): ${e.loadOnly.map((n) => `<code>${html(n)}</code>`).join(', ')}.</p>\n` : ''}</section>`;
}

function endpointsHtml(report: Report): string {
  const rows = governance(report).map((g) => {
    const why = g.maturity.ungraded
      ? []
      : [...g.maturity.reasons, ...(g.maturity.level < 4 ? [`Not L${g.maturity.level + 1}: ${g.maturity.missing.join('; ')}`] : [])];
    const grade = g.maturity.ungraded ? html(g.maturity.ungraded) : `<strong>${g.maturity.label}</strong> ${html(MATURITY_TEXT[g.maturity.label])}`;
    return `<tr><td><code>${html(g.name)}</code></td><td><code>${g.info ? html(`${g.info.method} ${g.info.path}`) : 'not declared'}</code></td><td>${html(g.risk)}</td><td>${g.info ? html(g.info.keyRequired) : 'not declared'}</td><td>${grade}<ul>${why.map((w) => `<li>${html(w)}</li>`).join('')}</ul></td><td class="n">${g.failed.violation}</td><td class="n">${g.failed.deviation}</td></tr>`;
  });
  return `<section id="endpoints">
<h2>Endpoints</h2>
<table><thead><tr><th>Endpoint</th><th>Method and path</th><th>Risk class</th><th>Key required</th><th>Maturity</th><th>Violations</th><th>Deviations</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
</section>`;
}

interface ChartData {
  endpoint: string;
  series: Array<{ outcome: string; count: number; values: number[] }>;
}

function chartData(report: Report): ChartData[] {
  const charts: ChartData[] = [];
  for (const row of latencyRows(report)) {
    let chart = charts.find((c) => c.endpoint === row.endpoint);
    if (!chart) charts.push((chart = { endpoint: row.endpoint, series: [] }));
    const { s } = row;
    chart.series.push({ outcome: row.outcome, count: s.count, values: [s.p50, s.p90, s.p99, s.p999, s.max] });
  }
  return charts;
}

function latencyHtml(charts: ChartData[]): string {
  if (charts.length === 0) return '<section id="latency"><h2>Latency</h2><p>No latency recorded.</p></section>';
  const boxes = charts.map((c, i) => {
    const rows = c.series.map(
      (s) =>
        `<tr><td><span class="swatch" style="background:${COLORS[s.outcome] ?? '#000'}"></span>${html(s.outcome)}</td><td class="n">${s.count}</td>${s.values.map((v) => `<td class="n">${num(v)}</td>`).join('')}</tr>`,
    );
    return `<div class="chart-box">
<h3><code>${html(c.endpoint)}</code></h3>
<div class="chart" id="chart-${i}" role="img" aria-label="${html(`latency percentiles by outcome for ${c.endpoint}`)}"></div>
<table><thead><tr><th>outcome</th><th>count</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th></tr></thead>
<tbody>${rows.join('')}</tbody></table>
</div>`;
  });
  return `<section id="latency">
<h2>Latency percentiles by outcome</h2>
<div class="charts">
${boxes.join('\n')}
</div>
</section>`;
}

/** HdrHistogram percentile-distribution plots of the load runs (from each request's intended start). */
function loadLatencyHtml(report: Report): string {
  const plots = endpointNames(report).flatMap((endpoint) => {
    const byOutcome = report.histograms?.[endpoint];
    if (!byOutcome) return [];
    const series = OUTCOMES.flatMap((outcome) => {
      const enc = byOutcome[outcome];
      if (!enc) return [];
      const points = distributionOf(enc.intended);
      return [{ outcome, count: report.latency[endpoint]?.[outcome]?.count ?? 0, color: COLORS[outcome] ?? '#000', points }];
    });
    const svg = percentilePlot(series, `load on ${endpoint}`);
    return svg ? [`<div class="plot-box">\n<h3><code>${html(endpoint)}</code></h3>\n${svg}\n</div>`] : [];
  });
  if (plots.length === 0) return '';
  return `\n<section id="load-latency">
<h2>Load latency distribution</h2>
<p class="muted">From each request's intended start (queueing included), by outcome; read the tail on the right.</p>
${plots.join('\n')}
</section>`;
}

/** The race timeline of a concurrent-duplicates result, when its evidence has the copies. */
function timeline(r: ResultRecord): string {
  if (r.check !== 'concurrent-duplicates') return '';
  const svg = raceTimeline(r.evidence, serverTimesOf(r.facts));
  return svg ? `\n${svg}` : '';
}

/** The sequence diagram of a chaos finding, when the check recorded the round's steps. */
function sequence(r: ResultRecord): string {
  const svg = sequenceDiagram(stepsOf(r.facts));
  return svg ? `\n${svg}` : '';
}

function findingHtml(r: ResultRecord): string {
  // Facts a picture shows are not repeated as text beside it (factsText leaves them out).
  const facts = factsText(r.facts);
  const evidence =
    r.evidence.length === 0
      ? ''
      : `
<pre>${html(r.evidence.map(evidenceLine).join('\n'))}</pre>
<details><summary>Full evidence (${r.evidence.length} exchange${r.evidence.length === 1 ? '' : 's'}, redacted)</summary>
${r.evidence.map((e) => `<pre>${html(evidenceBlock(e))}</pre>`).join('\n')}
</details>`;
  const reproduce =
    (r.reproduce ?? []).length === 0
      ? ''
      : `
<p class="muted">Reproduce (set <code>IDEMAUDIT_&lt;HEADER&gt;</code> for redacted headers):</p>
<pre class="reproduce">${html((r.reproduce ?? []).map((c) => `$ ${c}`).join('\n'))}</pre>`;
  return `<article class="finding ${html(r.level)}">
<h3>${badge(`l-${r.level}`, r.level)} ${badge(`v-${r.verdict}`, r.verdict)} <code>${html(r.check)}</code> on <code>${html(r.endpoint)}</code></h3>
<p>${html(r.message)}</p>
<p class="muted">Rule: ${html(r.reference)}</p>${facts ? `\n<p class="muted">Facts: <code>${html(facts)}</code></p>` : ''}${timeline(r)}${sequence(r)}${evidence}${reproduce}
</article>`;
}

function findingsHtml(report: Report): string {
  const shown = report.results
    .filter((r) => r.verdict === 'fail' || r.verdict === 'error' || (r.verdict === 'pass' && r.level === 'observation'))
    .map((r, i) => ({ r, i }))
    .sort((a, b) => VERDICT_RANK[a.r.verdict]! - VERDICT_RANK[b.r.verdict]! || RANK[a.r.level]! - RANK[b.r.level]! || a.i - b.i)
    .map(({ r }) => r);
  return `<section id="findings">
<h2>Findings (${shown.length})</h2>
${shown.length === 0 ? '<p>No failed results.</p>' : shown.map(findingHtml).join('\n')}
</section>`;
}

/**
 * Inconclusive results, with their evidence (a failover probe, a baseline pair): each names the check
 * that owns its root cause, whose finding is the one to act on; the evidence shows why it deferred.
 * Nothing (not even an empty section) when there are none.
 */
function inconclusiveHtml(report: Report): string {
  const shown = report.results.filter((r) => r.verdict === 'inconclusive');
  if (shown.length === 0) return '';
  return `<section id="inconclusive">
<h2>Inconclusive (${shown.length})</h2>
<p class="muted">Each names the check that owns its root cause: act on that check's finding. The evidence shows why this result deferred to it.</p>
${shown.map(findingHtml).join('\n')}
</section>
`;
}

function resultsHtml(report: Report): string {
  const rows = report.results.map(
    (r, i) =>
      `<tr data-index="${i}" data-verdict="${html(r.verdict)}" data-level="${html(r.level)}"><td class="n">${i + 1}</td><td><code>${html(r.check)}</code></td><td><code>${html(r.endpoint)}</code></td><td data-key="${VERDICT_RANK[r.verdict] ?? 9}">${badge(`v-${r.verdict}`, r.verdict)}</td><td data-key="${RANK[r.level] ?? 9}">${html(r.level)}</td><td>${html(r.message)}</td></tr>`,
  );
  const option = (v: string): string => `<option value="${html(v)}">${html(v)}</option>`;
  return `<section id="all-results">
<h2>All results</h2>
<div class="controls">
<label>Filter <input id="filter-text" type="search" placeholder="check, endpoint or message"></label>
<label>Verdict <select id="filter-verdict"><option value="">all</option>${['pass', 'fail', 'inconclusive', 'skip', 'error'].map(option).join('')}</select></label>
<label>Level <select id="filter-level"><option value="">all</option>${['violation', 'deviation', 'observation'].map(option).join('')}</select></label>
<span id="shown" class="muted">${report.results.length} of ${report.results.length} results</span>
</div>
<table id="results"><thead><tr><th data-sort="number">#</th><th data-sort="text">check</th><th data-sort="text">endpoint</th><th data-sort="text">verdict</th><th data-sort="text">level</th><th data-sort="text">message</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
</section>`;
}

const cspHash = (script: string): string => `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;

export function renderHtml(report: Report): string {
  const lib = uplotAsset();
  const charts = chartData(report);
  const data = jsonForScript({ colors: COLORS, charts });
  const app = reportAssets();
  const csp = `default-src 'none'; script-src ${cspHash(lib.js)} ${cspHash(app.js)}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${html(csp)}">
<meta name="generator" content="idemaudit ${html(report.tool.version)}">
<title>idemaudit: ${html(report.scenario.name)} (${html(report.summary.verdict.toUpperCase())})</title>
<style>/* uPlot ${html(lib.version)} (MIT) */
${lib.css}</style>
<style>${app.css}</style>
</head>
<body>
${headerHtml(report)}
${executiveHtml(report)}
${endpointsHtml(report)}
${latencyHtml(charts)}${loadLatencyHtml(report)}
${findingsHtml(report)}
${inconclusiveHtml(report)}${resultsHtml(report)}
<footer class="muted"><p>Generated by idemaudit ${html(report.tool.version)} from the run started ${html(report.startedAt)}. Charts: uPlot ${html(lib.version)}, inlined.</p></footer>
<script type="application/json" id="idemaudit-data">${data}</script>
<script>${lib.js}</script>
<script>${app.js}</script>
</body>
</html>
`;
}

export const htmlReporter: Reporter = {
  id: 'html',
  extension: 'html',
  description: 'self-contained HTML page (works offline): findings, latency charts, sortable results',
  render: (report) => renderHtml(report),
};
