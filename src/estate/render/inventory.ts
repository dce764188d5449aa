// Renderers of an Inventory: terminal table, JSON, Markdown and HTML (the governance checklist).
import Table from 'cli-table3';
import { html, md, mdCode, printable } from '../../report/escape.js';
import { routeOf, type Inventory, type InventoryRow } from '../inventory.js';
import { list, page, yesNo } from './page.js';

export const INVENTORY_FORMATS = ['terminal', 'json', 'md', 'html'] as const;
export type InventoryFormat = (typeof INVENTORY_FORMATS)[number];

const keyCell = (r: InventoryRow): string => (r.keyHeader ? `${r.keyHeader}${r.keyRequired ? ' (required)' : ' (optional)'}` : '-');
const statusCell = (r: InventoryRow): string => (['400', '409', '422'] as const).filter((c) => r.documented[c]).join(' ') || '-';

function gateLine(inv: Inventory): string {
  const levels = inv.requireKeyFor.join(', ');
  return inv.verdict === 'pass'
    ? `PASS: every ${levels} mutation declares a required key`
    : `FAIL: ${inv.summary.gateViolations.length} ${levels} mutation(s) without a required key: ${inv.summary.gateViolations.join(', ')}`;
}

function terminal(inv: Inventory): string {
  const out: string[] = [];
  out.push(
    printable(
      `${inv.spec.title ?? inv.spec.source} (${inv.spec.version === '2.0' ? 'Swagger' : 'OpenAPI'} ${inv.spec.version}): ${inv.summary.mutations} mutation(s), ${inv.summary.withRequiredKey} with a required key`,
    ),
  );
  const table = new Table({
    head: ['operation', 'risk', 'key', 'errors', 'retention', 'gaps'],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [34, 10, 28, 12, 11, 43],
  });
  for (const r of inv.rows) {
    table.push([
      printable(`${routeOf(r)}${r.operationId ? `\n${r.operationId}` : ''}`),
      r.risk,
      printable(keyCell(r)),
      statusCell(r),
      printable(r.retention ?? '-'),
      printable(r.gaps.join('; ') || 'none'),
    ]);
  }
  if (inv.rows.length > 0) out.push(table.toString());
  const problems = inv.rows.flatMap((r) => r.problems);
  for (const p of new Set(problems)) out.push(printable(`warning: ${p}`));
  out.push(gateLine(inv));
  return out.join('\n') + '\n';
}

/** Stable JSON: the golden tests and CI scripts read this. */
function json(inv: Inventory): string {
  return JSON.stringify(inv, null, 2) + '\n';
}

function markdown(inv: Inventory): string {
  const s = inv.summary;
  const lines = [
    `# Idempotency inventory: ${md(inv.spec.title ?? inv.spec.source)}`,
    '',
    `${md(inv.spec.version === '2.0' ? 'Swagger' : 'OpenAPI')} ${md(inv.spec.version)}, ${s.mutations} mutation(s): ${s.byRisk.critical} critical, ${s.byRisk.high} high, ${s.byRisk.medium} medium, ${s.byRisk.low} low. ${s.withKey} declare a key, ${s.withRequiredKey} require it.`,
    '',
    `**${md(gateLine(inv))}**`,
    '',
    '## Governance checklist',
    '',
    '| operation | risk | key required | retention | payload reuse | in-flight 409 | bad key 400 | replay marker | gaps |',
    '|---|---|---|---|---|---|---|---|---|',
    ...inv.rows.map(
      (r) =>
        `| ${mdCode(routeOf(r), true)} | ${r.risk} (${md(r.riskReason)}) | ${r.keyHeader ? `${r.keyRequired ? 'yes' : 'no'}: ${mdCode(r.keyHeader, true)}` : 'no key'}${r.justification ? ` (${md(r.justification)})` : ''} | ${md(r.retention ?? 'not declared')} | ${r.conflictStatus ?? 'not documented'} | ${r.documented['409'] ? 'yes' : 'no'} | ${r.documented['400'] ? 'yes' : 'no'} | ${r.replayHeader ? mdCode(r.replayHeader, true) : 'no'} | ${md(r.gaps.join('; ') || 'none')} |`,
    ),
    '',
    '## Endpoints that still lack a declared key',
    '',
    ...(s.lackingKey.length ? s.lackingKey.map((r) => `- ${mdCode(r)}`) : ['None.']),
    '',
    '## Endpoints that declare no conflict semantics (409/422)',
    '',
    ...(s.noConflictSemantics.length ? s.noConflictSemantics.map((r) => `- ${mdCode(r)}`) : ['None.']),
    '',
  ];
  const problems = [...new Set(inv.rows.flatMap((r) => r.problems))];
  if (problems.length) lines.push('## Problems in x-idempotency', '', ...problems.map((p) => `- ${md(p)}`), '');
  return lines.join('\n');
}

function htmlReport(inv: Inventory): string {
  const s = inv.summary;
  const rows = inv.rows
    .map(
      (r) => `<tr><td><code>${html(routeOf(r))}</code>${r.operationId ? `<br><small>${html(r.operationId)}</small>` : ''}</td>
<td>${html(r.risk)}<br><small>${html(r.riskReason)}</small></td>
<td>${r.keyHeader ? `${yesNo(r.keyRequired)} <code>${html(r.keyHeader)}</code>` : yesNo(false, '', 'no key')}${r.justification ? `<br><small>${html(r.justification)}</small>` : ''}</td>
<td>${r.retention ? html(r.retention) : yesNo(false, '', 'not declared')}</td>
<td>${r.conflictStatus ? html(r.conflictStatus) : yesNo(false, '', 'not documented')}</td>
<td>${yesNo(r.documented['409'])}</td><td>${yesNo(r.documented['400'])}</td>
<td>${r.replayHeader ? `<code>${html(r.replayHeader)}</code>` : yesNo(false)}</td>
<td>${r.gaps.length ? html(r.gaps.join('; ')) : '<span class="ok">none</span>'}</td></tr>`,
    )
    .join('\n');
  const body = `<h1>Idempotency inventory: ${html(inv.spec.title ?? inv.spec.source)}</h1>
<p class="meta">${html(inv.spec.version === '2.0' ? 'Swagger' : 'OpenAPI')} ${html(inv.spec.version)} &middot; ${html(inv.spec.source)}</p>
<div class="cards"><div class="card"><b>${s.mutations}</b>mutations</div><div class="card"><b>${s.byRisk.critical}</b>critical</div><div class="card"><b>${s.withRequiredKey}</b>require a key</div><div class="card"><b>${s.lackingKey.length}</b>lack a key</div></div>
<p class="${inv.verdict === 'pass' ? 'ok' : 'bad'}">${html(gateLine(inv))}</p>
<h2>Per-endpoint governance checklist</h2>
<table><thead><tr><th>operation</th><th>risk</th><th>key required</th><th>retention</th><th>payload reuse</th><th>in-flight 409</th><th>bad key 400</th><th>replay marker</th><th>gaps</th></tr></thead>
<tbody>${rows}</tbody></table>
<p class="meta">Observability coverage (replay and conflict metrics per endpoint and client version) cannot be read from a spec: see <code>idemaudit observe</code>.</p>
<h2>Endpoints that still lack a declared key</h2>${list(s.lackingKey, 'None.')}
<h2>Endpoints that declare no conflict semantics (409/422)</h2>${list(s.noConflictSemantics, 'None.')}
<h2>Endpoints without a declared retention</h2>${list(s.noRetention, 'None.')}`;
  return page(`Idempotency inventory: ${inv.spec.title ?? inv.spec.source}`, body);
}

export function renderInventory(inv: Inventory, format: InventoryFormat): string {
  switch (format) {
    case 'terminal':
      return terminal(inv);
    case 'json':
      return json(inv);
    case 'md':
      return markdown(inv);
    case 'html':
      return htmlReport(inv);
  }
}
