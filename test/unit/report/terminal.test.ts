// The terminal report at 80 and 120 columns: every line fits, messages wrap instead of being cut,
// golden output per width; --quiet is the summary line; --verbose lists every exchange; load
// figures are printed once, with mean, standard deviation and p95.
import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../../../src/report/reporters/terminal.js';
import { renderLoadTable } from '../../../src/report/load-results.js';
import { wrap } from '../../../src/report/text-layout.js';
import { expectGolden, fixture } from './helpers.js';

const lines = (s: string): string[] => s.replace(/\n$/, '').split('\n');

describe('terminal reporter', () => {
  for (const width of [80, 120]) {
    for (const name of ['passing', 'failing', 'hostile'] as const) {
      it(`fits ${width} columns (${name})`, () => {
        const out = renderTerminal(fixture(name), { color: false, width });
        // Control characters take no column (escaping them is the terminal sanitizer's job, issue 13).
        // A single shell word longer than a line (a JSON body) stays whole so the command still runs.
        for (const l of lines(out).filter((x) => !/^ {6,}\S{60,}( \\)?$/.test(x)))
          // eslint-disable-next-line no-control-regex
          expect(l.replace(/[\u0000-\u001F\u007F]/g, '').length, l).toBeLessThanOrEqual(width);
        // Nothing is lost to the width: every result message is there, word for word.
        const flat = out.replace(/[│\s]+/g, ' ');
        for (const r of fixture(name).results)
          for (const word of r.message.split(/\s+/).filter((w) => w.length > 0 && w.length < 30)) expect(flat).toContain(word);
      });
    }
    it(`golden output at ${width} columns`, () => {
      expectGolden(`failing.terminal-${width}.txt`, renderTerminal(fixture('failing'), { color: false, width }));
    });
  }

  it('a table on wide terminals, a list without box drawing on narrow ones', () => {
    expect(renderTerminal(fixture('failing'), { color: false, width: 120 })).toContain('┌');
    const narrow = renderTerminal(fixture('failing'), { color: false, width: 80 });
    expect(narrow).not.toMatch(/[┌│└]/);
    expect(narrow).toContain('✗ FAIL concurrent-duplicates [create-payment] violation\n    key executed 3 times');
  });

  it('quiet prints the summary line only; verbose adds every exchange', () => {
    const report = fixture('failing');
    const quiet = renderTerminal(report, { color: false, width: 80, detail: 'quiet' });
    expect(lines(quiet).join(' ')).toMatch(/^FAIL: 4 passed, 7 failed .* in 6\.4 s$/);
    const verbose = renderTerminal(report, { color: false, width: 120, detail: 'verbose' });
    expect(verbose).toContain(`exchanges (${report.exchanges.length}`);
    for (const e of report.exchanges) expect(verbose).toContain(`#${e.seq} ${e.label}:`);
    expect(verbose.length).toBeGreaterThan(renderTerminal(report, { color: false, width: 120 }).length);
  });

  it('counts verdicts this build does not know in the summary line', () => {
    const report = fixture('passing');
    (report.summary.counts as Record<string, number>).inconclusive = 2;
    expect(renderTerminal(report, { color: false, width: 120, detail: 'quiet' })).toContain(', 2 inconclusive');
  });

  it('prints load latency once, in the load table, with mean, stddev and p95', () => {
    const report = fixture('passing');
    const s = { count: 100, p50: 1, p90: 2, p99: 3, p999: 4, max: 5, mean: 1.25, stddev: 0.5, p95: 2.5 };
    report.load = {
      'create-payment': {
        executor: 'constant-arrival-rate',
        targetRate: 100,
        achievedRate: 99,
        connections: 10,
        durationMs: 1000,
        elapsedMs: 1010,
        planned: 100,
        sent: 100,
        completed: 100,
        dropped: 0,
        capped: false,
        mix: { fresh: 70, replay: 20, inflight: 10 },
        outcomes: { first: 100 },
        statuses: { 201: 100 },
        errors: {},
        conflictRate: 0,
        errorRate: 0,
        duplicateExecutions: 0,
        replayMismatches: 0,
        replaysCompared: 20,
        thresholds: [],
        latency: { intended: { first: s, all: s }, service: { all: s } },
      },
    };
    const terminal = renderTerminal(report, { color: false, width: 80 });
    const load = renderLoadTable(report, { width: 80 });
    expect(terminal).not.toMatch(/^\s+create-payment:$/m); // its latency is in the load table only
    expect(load).toMatch(/outcome\s+n\s+mean\s+stddev\s+p50\s+p90\s+p95\s+p99\s+p99\.9\s+max/);
    expect(load).toMatch(/first\s+100\s+1\.25\s+0\.50\s+1\.00\s+2\.00\s+2\.50\s+3\.00\s+4\.00\s+5\.00/);
    for (const l of lines(load)) expect(l.length).toBeLessThanOrEqual(80);
  });
});

describe('shellWrap', () => {
  it('wraps between words with continuations and keeps quoted words whole', async () => {
    const { shellWrap } = await import('../../../src/report/text-layout.js');
    const out = shellWrap(`$ curl -sS -X POST 'http://h/p' -H "x-api-key: \${IDEMAUDIT_X_API_KEY}" --data-binary '{"a": 1, "b": 2}'`, 40, 6, 0);
    expect(out.slice(0, -1).every((l) => l.endsWith(' \\'))).toBe(true);
    expect(out.join('\n')).toContain('"x-api-key: ${IDEMAUDIT_X_API_KEY}"');
    expect(out.join('\n')).toContain(`'{"a": 1, "b": 2}'`);
  });
});

describe('wrap', () => {
  it('wraps at word boundaries, cuts words longer than a line, indents continuations', () => {
    expect(wrap('aaa bbb ccc', 7, 2, 0)).toEqual(['aaa bbb', '  ccc']);
    expect(wrap('x'.repeat(12), 5)).toEqual(['xxxxx', 'xxxxx', 'xx']);
    expect(wrap('', 10)).toEqual(['']);
  });
});
