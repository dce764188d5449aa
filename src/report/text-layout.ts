// Plain-text layout for terminals: wrapping to a width and aligned columns without box drawing, so
// every line of the terminal report fits the terminal (80 columns and up).
import type { LatencySummary } from '../metrics/histogram.js';

/** Visible length: ANSI colour sequences take no columns. */
// eslint-disable-next-line no-control-regex
export const visible = (s: string): number => s.replace(/\u001B\[[0-9;]*m/g, '').length;

/** Wrap `text` to `width` columns, indenting continuation lines by `indent` spaces; words longer
 * than a line are cut. */
export function wrap(text: string, width: number, indent = 0, first = indent): string[] {
  const lines: string[] = [];
  let line = ' '.repeat(first);
  let room = width - first;
  const flush = (): void => {
    lines.push(line.trimEnd());
    line = ' '.repeat(indent);
    room = width - indent;
  };
  for (const word of text
    .replace(/\s*\r?\n\s*/g, ' ')
    .split(' ')
    .filter(Boolean)) {
    let w = word;
    const sep = line.trim() === '' ? '' : ' ';
    if (w.length + sep.length > room && line.trim() !== '') flush();
    while (w.length > room) {
      line += w.slice(0, room);
      w = w.slice(room);
      flush();
    }
    line += (line.trim() === '' ? '' : ' ') + w;
    room = width - line.length;
  }
  if (line.trim() !== '' || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

/** Cut one line to `width` columns with an ellipsis. */
export const clip = (s: string, width: number): string => (s.length > width ? `${s.slice(0, Math.max(0, width - 1))}…` : s);

/** Aligned columns: text left, numbers right, two spaces apart. */
export function columns(head: string[], rows: Array<Array<string | number>>, numeric: boolean[]): string[] {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

const f2 = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(2));

/** Latency columns shared with the load table: count, mean, stddev, p50/p90/p95/p99/p99.9, max. */
export function latencyColumns(lead: string[], rows: Array<{ lead: string[]; s: LatencySummary }>): string[] {
  return columns(
    [...lead, 'n', 'mean', 'stddev', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'],
    rows.map(({ lead: l, s }) => [...l, s.count, f2(s.mean), f2(s.stddev), f2(s.p50), f2(s.p90), f2(s.p95), f2(s.p99), f2(s.p999), f2(s.max)]),
    [...lead.map(() => false), true, true, true, true, true, true, true, true, true],
  );
}

/**
 * A shell command wrapped to `width` with ` \` continuations between words (quotes kept whole), so
 * it still pastes and runs; a single word longer than a line stays whole rather than broken.
 */
export function shellWrap(cmd: string, width: number, indent: number, first = indent): string[] {
  const words = cmd.match(/(?:'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"]+)+/g) ?? [cmd];
  const lines: string[] = [];
  let line = ' '.repeat(first) + words[0];
  for (const w of words.slice(1)) {
    if (line.length + 1 + w.length + 2 > width) {
      lines.push(`${line} \\`);
      line = ' '.repeat(indent + 2) + w;
    } else {
      line += ` ${w}`;
    }
  }
  lines.push(line);
  return lines;
}
