// Human summary for a terminal of any width from 80 columns: results as a table on wide terminals
// and as a compact list on narrow ones (messages wrap inside their column or under their line),
// evidence for failures, latency by outcome as aligned columns. `quiet` prints the summary line
// only; `verbose` adds every exchange. Colour only when the caller says the stream is a colour TTY.
import { sanitizeDeep } from '../sanitize.js';
import { styleText } from 'node:util';
import { createTable } from '../table.js';
import { statusText } from '../evidence.js';
import type { ExchangeRecord } from '../../core/exchange.js';
import type { Report, ResultRecord } from '../model.js';
import type { Reporter } from '../reporter.js';
import { clip, latencyColumns, shellWrap, wrap } from '../text-layout.js';
import { latencyRows } from '../evidence.js';

const EVIDENCE_LINES = 4;
/** Below this width the results table gives way to a list. */
export const WIDE = 100;
export const DEFAULT_WIDTH = 120;

function exchangeLine(e: ExchangeRecord): string {
  const body = e.response?.body ? ` ${e.response.body.slice(0, 100)}` : '';
  return `#${e.seq} ${e.label}: ${e.request.method} ${e.request.url}${e.key ? ` key=${e.key}` : ''}${e.tenant ? ` tenant=${e.tenant}` : ''} -> ${statusText(e)} (${e.durationMs.toFixed(1)} ms)${body}`;
}

export function renderTerminal(report: Report, opts: { color: boolean; width?: number; detail?: 'quiet' | 'normal' | 'verbose' }): string {
  const width = Math.max(40, opts.width ?? DEFAULT_WIDTH);
  const detail = opts.detail ?? 'normal';
  const c = palette(opts.color);
  const paint = (verdict: string, text: string): string =>
    verdict === 'pass' ? c.green(text) : verdict === 'fail' ? c.red(text) : verdict === 'error' ? c.magenta(text) : c.yellow(text);

  const { counts, levels, verdict } = report.summary;
  const other = Object.entries(counts)
    .filter(([k, n]) => !['pass', 'fail', 'skip', 'error'].includes(k) && n > 0)
    .map(([k, n]) => `, ${n} ${k}`)
    .join('');
  const summary = `${verdict.toUpperCase()}: ${counts.pass} passed, ${counts.fail} failed (${levels.violation} violations, ${levels.deviation} deviations), ${counts.skip} skipped, ${counts.error} errors${other} in ${(report.durationMs / 1000).toFixed(1)} s${report.summary.reason ? ` (${report.summary.reason})` : ''}`;
  const summaryLines = wrap(summary, width).map((l) => paint(verdict === 'pass' ? 'pass' : verdict === 'fail' ? 'fail' : 'skip', c.bold(l)));
  if (detail === 'quiet') return `${summaryLines.join('\n')}\n`;

  const out: string[] = [];
  out.push(
    ...wrap(
      `idemaudit ${report.tool.version} · scenario ${report.scenario.name}  target ${report.target} · profile ${report.profile} · seed ${report.seed}`,
      width,
      2,
      0,
    ),
  );

  // A pass "at violation level" reads oddly; the level matters for what failed and for observations.
  const levelOf = (r: ResultRecord): string => (r.verdict === 'pass' && r.level !== 'observation' ? '' : r.level);
  if (width >= WIDE) {
    const fixed = [24, 16, 9, 13];
    const message = width - fixed.reduce((a, b) => a + b, 0) - 6; // 6 border characters
    const table = createTable({
      head: ['check', 'endpoint', 'verdict', 'level', 'message'],
      style: { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [] },
      wordWrap: true,
      wrapOnWordBoundary: true,
      colWidths: [...fixed, message],
    });
    for (const r of report.results) {
      table.push([
        clip(r.check, fixed[0]! - 2),
        clip(r.endpoint, fixed[1]! - 2),
        paint(r.verdict, r.verdict.toUpperCase()),
        levelOf(r),
        wrap(r.message, message - 2).join('\n'),
      ]);
    }
    out.push(table.toString());
  } else {
    for (const r of report.results) {
      const mark = r.verdict === 'pass' ? '✓' : r.verdict === 'fail' ? '✗' : r.verdict === 'error' ? '!' : '-';
      out.push(
        ...wrap(`${mark} ${r.verdict.toUpperCase()} ${r.check} [${r.endpoint}]${levelOf(r) ? ` ${levelOf(r)}` : ''}`, width, 4, 0).map((l, i) =>
          i === 0 ? paint(r.verdict, l) : l,
        ),
      );
      out.push(...wrap(r.message, width, 4));
    }
  }

  const failed = report.results.filter((r) => r.verdict === 'fail' || r.verdict === 'error');
  const explained = detail === 'verbose' ? report.results : failed;
  for (const r of explained) {
    out.push(
      ...wrap(`${r.verdict === 'pass' ? '✓' : '✗'} ${r.check} [${r.endpoint}] ${r.level}: ${r.message}`, width, 6, 0).map((l, i) =>
        i === 0 ? paint(r.verdict, l) : l,
      ),
    );
    out.push(...wrap(`rule: ${r.reference}`, width, 6, 6));
    const evidence = detail === 'verbose' ? r.evidence : r.evidence.slice(0, EVIDENCE_LINES);
    for (const e of evidence) out.push(clip(`      ${exchangeLine(e)}`, width));
    // Reproductions wrap with shell continuations: cut, they would not run when pasted.
    for (const cmd of (r.reproduce ?? []).slice(0, detail === 'verbose' ? undefined : 3)) out.push(...shellWrap(`$ ${cmd}`, width, 6, 6));
    if ((r.reproduce?.length ?? 0) > 0)
      out.push(...wrap('(full reproduction in the JSON report; set IDEMAUDIT_<HEADER> for redacted headers and fill in [REDACTED] body fields)', width, 6, 6));
  }
  if (detail === 'verbose' && report.exchanges.length > 0) {
    out.push(`exchanges (${report.exchanges.length}${report.exchangesDropped ? `, ${report.exchangesDropped} more not kept` : ''}):`);
    for (const e of report.exchanges) out.push(clip(`  ${e.endpoint} ${exchangeLine(e)}`, width));
  }

  // Load runs print their own table (renderLoadTable): each table once.
  const rows = latencyRows(report).filter((row) => !report.load?.[row.endpoint]);
  if (rows.length > 0) {
    out.push('latency (ms) by outcome:');
    const lines = latencyColumns(
      ['endpoint', 'outcome'],
      rows.map((row) => ({ lead: [row.endpoint, row.outcome], s: row.s })),
    );
    // Too wide with the endpoint column: one block per endpoint instead.
    if (Math.max(...lines.map((l) => l.length)) + 2 <= width) out.push(...lines.map((l) => `  ${l}`));
    else {
      for (const endpoint of [...new Set(rows.map((r) => r.endpoint))]) {
        out.push(`  ${clip(endpoint, width - 3)}:`);
        out.push(
          ...latencyColumns(
            ['outcome'],
            rows.filter((r) => r.endpoint === endpoint).map((row) => ({ lead: [row.outcome], s: row.s })),
          ).map((l) => clip(`    ${l}`, width)),
        );
      }
    }
  }
  out.push(...summaryLines);
  return `${out.join('\n')}\n`;
}

type Style = (text: string) => string;

/**
 * Node's built-in styleText instead of a colour package. The caller has already decided whether the
 * stream is a colour TTY (isInteractive), so styleText must not second-guess it against process.stdout.
 */
function palette(color: boolean): Record<'green' | 'red' | 'magenta' | 'yellow' | 'bold', Style> {
  const style = (format: 'green' | 'red' | 'magenta' | 'yellow' | 'bold'): Style =>
    color ? (text) => styleText(format, text, { validateStream: false }) : (text) => text;
  return { green: style('green'), red: style('red'), magenta: style('magenta'), yellow: style('yellow'), bold: style('bold') };
}

export const terminalReporter: Reporter = {
  id: 'terminal',
  description: 'summary table, evidence for failures and latency percentiles, for people',
  // Strings from the target reach a terminal: escape sequences are made visible first.
  render: (report, opts) => renderTerminal(sanitizeDeep(report), opts),
};
