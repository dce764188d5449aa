// Human summary: one table row per result, evidence lines for failures, latency by outcome.
// Colour only when the caller says the stream is a colour TTY; otherwise plain and stable.
import { styleText } from 'node:util';
import { createTable } from '../table.js';
import type { ResultRecord } from '../model.js';
import type { Reporter } from '../reporter.js';

const EVIDENCE_LINES = 4;

function evidenceLines(r: ResultRecord): string[] {
  return r.evidence.slice(0, EVIDENCE_LINES).map((e) => {
    const status = e.response ? String(e.response.status) : (e.error ?? 'no response');
    const body = e.response?.body ? ` ${e.response.body.slice(0, 100)}` : '';
    return `      #${e.seq} ${e.label}: ${e.request.method} ${e.request.url}${e.key ? ` key=${e.key}` : ''}${e.tenant ? ` tenant=${e.tenant}` : ''} -> ${status} (${e.durationMs.toFixed(1)} ms)${body}`;
  });
}

type Style = (text: string) => string;

/**
 * Node's built-in styleText instead of a colour package. The caller has already decided whether the
 * stream is a colour TTY (isInteractive), so styleText must not second-guess it against process.stdout.
 */
function palette(color: boolean): Record<'green' | 'red' | 'magenta' | 'yellow' | 'bold', Style> {
  const style = (format: 'green' | 'red' | 'magenta' | 'yellow' | 'bold'): Style => (color ? (text) => styleText(format, text, { validateStream: false }) : (text) => text);
  return { green: style('green'), red: style('red'), magenta: style('magenta'), yellow: style('yellow'), bold: style('bold') };
}

export const terminalReporter: Reporter = {
  id: 'terminal',
  description: 'summary table, evidence for failures and latency percentiles, for people',
  render(report, { color }) {
    const c = palette(color);
    const paint = (verdict: string, text: string): string =>
      verdict === 'pass' ? c.green(text) : verdict === 'fail' ? c.red(text) : verdict === 'error' ? c.magenta(text) : c.yellow(text);
    const out: string[] = [];
    out.push(`${c.bold('idemaudit')} ${report.tool.version}  scenario ${report.scenario.name}  target ${report.target}  profile ${report.profile}  seed ${report.seed}`);

    const table = createTable({ head: ['check', 'endpoint', 'verdict', 'level', 'message'], style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] }, wordWrap: true, colWidths: [24, 16, 9, 12, 60] });
        // A pass "at violation level" reads oddly; the level matters for what failed and for observations.
    for (const r of report.results) {
      table.push([r.check, r.endpoint, paint(r.verdict, r.verdict.toUpperCase()), r.verdict === 'pass' && r.level !== 'observation' ? '' : r.level, r.message]);
    }
    out.push(table.toString());

    const failed = report.results.filter((r) => r.verdict === 'fail' || r.verdict === 'error');
    for (const r of failed) {
      out.push(`${paint(r.verdict, `✗ ${r.check}`)} [${r.endpoint}] ${r.level}: ${r.message}`);
      out.push(`      rule: ${r.reference}`);
      out.push(...evidenceLines(r));
      for (const cmd of (r.reproduce ?? []).slice(0, 3)) out.push(`      $ ${cmd.length > 400 ? `${cmd.slice(0, 400)}…` : cmd}`);
      if ((r.reproduce?.length ?? 0) > 0) out.push('      (full reproduction in the JSON report; set IDEMAUDIT_<HEADER> for redacted headers and fill in [REDACTED] body fields)');
    }

    const lat = createTable({ head: ['endpoint', 'outcome', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'], style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] } });
    for (const [endpoint, byOutcome] of Object.entries(report.latency)) {
      for (const [outcome, s] of Object.entries(byOutcome)) {
        if (s) lat.push([endpoint, outcome, s.count, s.p50.toFixed(2), s.p90.toFixed(2), s.p99.toFixed(2), s.max.toFixed(2)]);
      }
    }
    if (lat.length > 0) out.push(lat.toString());

    const { counts, levels, verdict } = report.summary;
    const line = `${verdict.toUpperCase()}: ${counts.pass} passed, ${counts.fail} failed (${levels.violation} violations, ${levels.deviation} deviations), ${counts.skip} skipped, ${counts.error} errors in ${(report.durationMs / 1000).toFixed(1)} s`;
    out.push(paint(verdict === 'pass' ? 'pass' : verdict === 'fail' ? 'fail' : 'skip', c.bold(line)) + (report.summary.reason ? ` (${report.summary.reason})` : ''));
    return `${out.join('\n')}\n`;
  },
};
