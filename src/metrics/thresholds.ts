// k6-like pass/fail thresholds over a load run's metrics: a parser that points at the exact column
// of a mistake, and a pure evaluator. Every value is compared in one unit per kind: milliseconds for
// latencies, a fraction (0..1) for rates, plain numbers for counts and requests per second.
//
// Grammar (whitespace between tokens is free):
//
//   threshold := operand op operand
//   op        := "<" | "<=" | ">" | ">=" | "==" | "!="
//   operand   := metric | number [unit]
//   unit      := "us" | "ms" | "s" | "%"
//   metric    := [source "."] [outcome "."] stat          (a latency, in ms)
//              | [outcome "."] "count"                    (requests with that outcome)
//              | counter
//   source    := "latency" (from the intended start: the default) | "service" (from the actual send)
//   outcome   := "all" (default) | first | replay | conflict | mismatch | rejected | error | timeout
//   stat      := "p" number (p50, p90, p99, p99.9; p999 = p99.9, p9999 = p99.99) | "med" | "min" | "max" | "mean" | "avg"
//   counter   := error_rate | conflict_rate | mismatch_rate | replay_rate | timeout_rate | rejected_rate
//                (fractions of the completed requests: write 1% or 0.01; error_rate counts network
//                errors, timeouts and 5xx; conflict = the profile's in-flight status, 409 under ietf-07)
//              | rate          (achieved / target request rate, a fraction: rate >= 95%; open model only)
//              | rps           (achieved requests per second)
//              | requests | dropped | duplicate_executions | replay_mismatches   (counts)
//
// A latency without a unit is in milliseconds; a rate without % is a fraction. Examples:
//   p99 < 250ms    p50 <= 20ms    service.p99.9 < 1s    error_rate < 1%    conflict_rate < 5%
//   duplicate_executions == 0     replay.p99 < first.p99     rate >= 95%     rps > 1000
//
// Thresholds on duplicate_executions and replay_mismatches are safety thresholds (level violation);
// every other one is a deviation.
import { UsageError } from '../core/errors.js';
import { OUTCOMES } from '../core/outcome.js';

export const OUTCOME_NAMES = OUTCOMES;
export type OutcomeName = (typeof OUTCOME_NAMES)[number];
export type LatencySource = 'latency' | 'service';
export type Comparator = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type ValueKind = 'duration' | 'fraction' | 'count' | 'rps';

export const COUNTERS = {
  error_rate: 'fraction',
  conflict_rate: 'fraction',
  mismatch_rate: 'fraction',
  replay_rate: 'fraction',
  timeout_rate: 'fraction',
  rejected_rate: 'fraction',
  rate: 'fraction',
  rps: 'rps',
  requests: 'count',
  dropped: 'count',
  duplicate_executions: 'count',
  replay_mismatches: 'count',
} as const satisfies Record<string, ValueKind>;
export type CounterName = keyof typeof COUNTERS;

const SAFETY_COUNTERS: ReadonlySet<string> = new Set(['duplicate_executions', 'replay_mismatches']);

export type LatencyStat = { kind: 'percentile'; percentile: number } | { kind: 'min' | 'max' | 'mean' };

export type MetricRef =
  | { type: 'latency'; source: LatencySource; outcome: OutcomeName | 'all'; stat: LatencyStat; text: string }
  | { type: 'count'; outcome: OutcomeName | 'all'; text: string }
  | { type: 'counter'; name: CounterName; text: string };

export type Operand =
  | { kind: 'metric'; metric: MetricRef; valueKind: ValueKind; start: number; end: number }
  | { kind: 'value'; value: number; unit: string | null; text: string; start: number; end: number };

export interface Threshold {
  /** The expression as written. */
  source: string;
  left: Operand;
  op: Comparator;
  right: Operand;
  /** What both sides are compared as. */
  valueKind: ValueKind;
  /** violation for safety counters (duplicate_executions, replay_mismatches), else deviation. */
  level: 'violation' | 'deviation';
}

/** A threshold that cannot be parsed: the message names the 1-based column of the problem. */
export class ThresholdError extends UsageError {
  constructor(
    readonly expression: string,
    /** 0-based index into the expression. */
    readonly position: number,
    readonly reason: string,
  ) {
    super(
      `threshold '${expression}': ${reason} (column ${position + 1})\n  ${expression}\n  ${' '.repeat(position)}^`,
      'write e.g. "p99 < 250ms", "error_rate < 1%", "duplicate_executions == 0" or "replay.p99 < first.p99"',
    );
  }

  /** One line, for validation messages: `"p99 < 9xs": unknown unit 'xs' at column 8`. */
  get short(): string {
    return `"${this.expression}": ${this.reason} at column ${this.position + 1}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Lexer

type Token =
  | { t: 'ident'; segments: Array<{ text: string; start: number }>; start: number; end: number }
  | { t: 'number'; value: number; unit: string | null; text: string; start: number; end: number }
  | { t: 'op'; op: Comparator; start: number; end: number };

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_]/.test(c);
const isIdentChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);
const UNITS = new Set(['us', 'µs', 'ms', 's', '%']);

function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (pos: number, reason: string): never => {
    throw new ThresholdError(src, pos, reason);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '<' || c === '>' || c === '=' || c === '!') {
      const start = i;
      const two = src.slice(i, i + 2);
      if (two === '<=' || two === '>=' || two === '==' || two === '!=') {
        tokens.push({ t: 'op', op: two, start, end: i + 2 });
        i += 2;
      } else if (c === '<' || c === '>') {
        tokens.push({ t: 'op', op: c, start, end: i + 1 });
        i += 1;
      } else {
        fail(start, c === '=' ? "'=' is not a comparison: use '=='" : "'!' must be followed by '=' ('!=')");
      }
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(src[i + 1]))) {
      const start = i;
      while (isDigit(src[i])) i++;
      if (src[i] === '.') {
        i++;
        if (!isDigit(src[i])) fail(i, 'expected digits after the decimal point');
        while (isDigit(src[i])) i++;
      }
      const text = src.slice(start, i);
      const unitStart = i;
      while (i < src.length && /[A-Za-zµ%]/.test(src[i]!)) i++;
      const unit = src.slice(unitStart, i);
      if (unit !== '' && !UNITS.has(unit)) fail(unitStart, `unknown unit '${unit}' (use us, ms, s or %)`);
      tokens.push({ t: 'number', value: Number(text), unit: unit === '' ? null : unit === 'µs' ? 'us' : unit, text: src.slice(start, i), start, end: i });
      continue;
    }
    if (isIdentStart(c)) {
      const start = i;
      const segments: Array<{ text: string; start: number }> = [];
      for (;;) {
        const segStart = i;
        if (!isIdentStart(src[i])) fail(i, src[i] === undefined ? 'expected a name after the dot' : `unexpected '${src[i]}' after the dot`);
        while (isIdentChar(src[i])) i++;
        // p99.9 is one segment: a percentile with a fraction.
        if (/^p\d+$/.test(src.slice(segStart, i)) && src[i] === '.' && isDigit(src[i + 1])) {
          i++;
          while (isDigit(src[i])) i++;
        }
        segments.push({ text: src.slice(segStart, i), start: segStart });
        if (src[i] === '.') {
          i++;
          continue;
        }
        break;
      }
      tokens.push({ t: 'ident', segments, start, end: i });
      continue;
    }
    fail(i, `unexpected '${c}'`);
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parser

function percentileOf(text: string): number | undefined {
  const m = /^p(\d+(?:\.\d+)?)$/.exec(text);
  if (!m) return undefined;
  if (text === 'p999') return 99.9;
  if (text === 'p9999') return 99.99;
  const n = Number(m[1]);
  return n >= 0 && n <= 100 ? n : undefined;
}

function statOf(text: string): LatencyStat | undefined {
  if (text === 'max' || text === 'min' || text === 'mean') return { kind: text };
  if (text === 'avg') return { kind: 'mean' };
  if (text === 'med') return { kind: 'percentile', percentile: 50 };
  const p = percentileOf(text);
  return p === undefined ? undefined : { kind: 'percentile', percentile: p };
}

const isOutcome = (s: string): s is OutcomeName | 'all' => s === 'all' || (OUTCOME_NAMES as readonly string[]).includes(s);

function parseMetric(src: string, tok: Extract<Token, { t: 'ident' }>): Operand {
  const segs = tok.segments;
  const fail = (pos: number, reason: string): never => {
    throw new ThresholdError(src, pos, reason);
  };
  const text = src.slice(tok.start, tok.end);
  const op = (metric: MetricRef, valueKind: ValueKind): Operand => ({ kind: 'metric', metric, valueKind, start: tok.start, end: tok.end });
  if (segs.length === 1 && segs[0]!.text in COUNTERS) {
    const name = segs[0]!.text as CounterName;
    return op({ type: 'counter', name, text }, COUNTERS[name]);
  }
  let k = 0;
  let source: LatencySource = 'latency';
  if (segs[k]!.text === 'latency' || segs[k]!.text === 'service') {
    source = segs[k]!.text as LatencySource;
    k++;
  }
  let outcome: OutcomeName | 'all' = 'all';
  if (k < segs.length && isOutcome(segs[k]!.text)) {
    outcome = segs[k]!.text as OutcomeName | 'all';
    k++;
  }
  if (k >= segs.length) {
    fail(tok.end, `expected a statistic after '${text}' (p50, p99, p99.9, max, mean, count)`);
  }
  if (k < segs.length - 1) {
    const seg = segs[k]!;
    const expected = k === 0 ? `a source (latency, service) or an outcome (all, ${OUTCOME_NAMES.join(', ')})` : `an outcome (all, ${OUTCOME_NAMES.join(', ')})`;
    if (statOf(seg.text) || seg.text === 'count') fail(segs[k + 1]!.start, `unexpected '${segs[k + 1]!.text}' after '${seg.text}'`);
    fail(seg.start, `unknown ${k === 0 ? 'source or outcome' : 'outcome'} '${seg.text}': expected ${expected}`);
  }
  const last = segs[k]!;
  if (last.text === 'count') {
    if (source === 'service') fail(segs[0]!.start, "'count' takes no source: write e.g. conflict.count");
    return op({ type: 'count', outcome, text }, 'count');
  }
  const stat = statOf(last.text);
  if (!stat) {
    if (/^p\d/.test(last.text)) fail(last.start, `percentile '${last.text}' is out of range (p0 .. p100)`);
    const known =
      k === 0
        ? `a counter (${Object.keys(COUNTERS).join(', ')}), an outcome (${OUTCOME_NAMES.join(', ')}), or a statistic (p99, max, mean)`
        : 'a statistic (p50, p90, p99, p99.9, min, max, mean, count)';
    const what = k === 0 && segs.length > 1 ? `unknown outcome or source '${last.text}'` : `unknown metric '${last.text}'`;
    fail(last.start, `${what}: expected ${known}`);
  }
  return op({ type: 'latency', source, outcome, stat: stat!, text }, 'duration');
}

function parseOperand(src: string, tok: Token | undefined, at: number): Operand {
  if (!tok) throw new ThresholdError(src, at, 'expected a metric or a value');
  if (tok.t === 'op') throw new ThresholdError(src, tok.start, `expected a metric or a value, found '${tok.op}'`);
  if (tok.t === 'number') return { kind: 'value', value: tok.value, unit: tok.unit, text: tok.text, start: tok.start, end: tok.end };
  return parseMetric(src, tok);
}

const KIND_WORDS: Record<ValueKind, string> = { duration: 'a latency', fraction: 'a rate', count: 'a count', rps: 'requests per second' };

/** Give a value operand its unit-normalised number for the metric kind it is compared with. */
function normalise(src: string, v: Extract<Operand, { kind: 'value' }>, kind: ValueKind, metricText: string): number {
  const fail = (reason: string): never => {
    throw new ThresholdError(src, v.start, reason);
  };
  switch (kind) {
    case 'duration':
      if (v.unit === '%') fail(`${metricText} is a latency: write a duration such as 250ms, not ${v.text}`);
      return v.unit === 's' ? v.value * 1000 : v.unit === 'us' ? v.value / 1000 : v.value;
    case 'fraction':
      if (v.unit !== null && v.unit !== '%') fail(`${metricText} is a rate: write a percentage such as 1% (or a fraction such as 0.01), not ${v.text}`);
      if (v.unit === '%') return v.value / 100;
      if (v.value > 1) fail(`${metricText} is a rate: ${v.text} as a fraction is above 1 (did you mean ${v.text}%?)`);
      return v.value;
    default:
      if (v.unit !== null) fail(`${metricText} is ${KIND_WORDS[kind]}: write a plain number, not ${v.text}`);
      return v.value;
  }
}

export function parseThreshold(expression: string): Threshold {
  const src = expression.trim();
  if (src === '') throw new ThresholdError(expression, 0, 'empty threshold');
  const tokens = lex(src);
  const [a, o, b, extra] = tokens;
  const left = parseOperand(src, a, 0);
  if (!o) throw new ThresholdError(src, src.length, 'expected a comparison (<, <=, >, >=, ==, !=)');
  if (o.t !== 'op') throw new ThresholdError(src, o.start, `expected a comparison (<, <=, >, >=, ==, !=) after '${src.slice(left.start, left.end)}'`);
  const right = parseOperand(src, b, src.length);
  if (extra) throw new ThresholdError(src, extra.start, `unexpected '${src.slice(extra.start, extra.end)}' after the threshold`);
  if (left.kind === 'value' && right.kind === 'value')
    throw new ThresholdError(src, left.start, 'compare a metric with a value or another metric, not two values');
  let valueKind: ValueKind;
  if (left.kind === 'metric' && right.kind === 'metric') {
    if (left.valueKind !== right.valueKind) {
      throw new ThresholdError(
        src,
        right.start,
        `cannot compare ${KIND_WORDS[left.valueKind]} (${left.metric.text}) with ${KIND_WORDS[right.valueKind]} (${right.metric.text})`,
      );
    }
    valueKind = left.valueKind;
  } else {
    const metric = (left.kind === 'metric' ? left : right) as Extract<Operand, { kind: 'metric' }>;
    const value = (left.kind === 'value' ? left : right) as Extract<Operand, { kind: 'value' }>;
    valueKind = metric.valueKind;
    value.value = normalise(src, value, valueKind, metric.metric.text);
    value.unit = valueKind === 'duration' ? 'ms' : valueKind === 'fraction' ? 'fraction' : null;
  }
  const safety = [left, right].some((x) => x.kind === 'metric' && x.metric.type === 'counter' && SAFETY_COUNTERS.has(x.metric.name));
  return { source: src, left, op: o.op, right, valueKind, level: safety ? 'violation' : 'deviation' };
}

/** Parse many; every problem is reported, not only the first. */
export function parseThresholds(expressions: readonly string[]): { thresholds: Threshold[]; errors: ThresholdError[] } {
  const thresholds: Threshold[] = [];
  const errors: ThresholdError[] = [];
  for (const e of expressions) {
    try {
      thresholds.push(parseThreshold(e));
    } catch (err) {
      if (err instanceof ThresholdError) errors.push(err);
      else throw err;
    }
  }
  return { thresholds, errors };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** What a load run offers to thresholds. undefined (or null) = no data for that metric. */
export interface ThresholdMetrics {
  /** A latency statistic in milliseconds; undefined when nothing was recorded for the outcome. */
  latency(source: LatencySource, outcome: OutcomeName | 'all', stat: LatencyStat): number | undefined;
  /** Requests that completed with the outcome ('all': every completed request). */
  count(outcome: OutcomeName | 'all'): number;
  counter(name: CounterName): number | null | undefined;
}

export interface ThresholdEvaluation {
  threshold: Threshold;
  /** undefined: a side had no data (e.g. replay.p99 without replays, rate in a closed-model run). */
  ok: boolean | undefined;
  left: number | undefined;
  right: number | undefined;
  /** e.g. "p99 < 250ms: p99 = 12.3 ms" */
  text: string;
}

function valueOf(o: Operand, m: ThresholdMetrics): number | undefined {
  if (o.kind === 'value') return o.value;
  const ref = o.metric;
  if (ref.type === 'latency') return m.latency(ref.source, ref.outcome, ref.stat);
  if (ref.type === 'count') return m.count(ref.outcome);
  return m.counter(ref.name) ?? undefined;
}

export function formatValue(v: number | undefined, kind: ValueKind): string {
  if (v === undefined) return 'no data';
  switch (kind) {
    case 'duration':
      return `${v < 10 ? Number(v.toFixed(3)) : Number(v.toFixed(1))} ms`;
    case 'fraction':
      return `${Number((v * 100).toFixed(v < 0.001 && v > 0 ? 4 : 2))}%`;
    case 'rps':
      return `${Number(v.toFixed(1))} req/s`;
    default:
      return String(v);
  }
}

export function compare(a: number, op: Comparator, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

export function evaluateThreshold(t: Threshold, m: ThresholdMetrics): ThresholdEvaluation {
  const left = valueOf(t.left, m);
  const right = valueOf(t.right, m);
  const ok = left === undefined || right === undefined ? undefined : compare(left, t.op, right);
  const shown = [t.left, t.right]
    .map((o, i) => (o.kind === 'metric' ? `${o.metric.text} = ${formatValue(i === 0 ? left : right, t.valueKind)}` : undefined))
    .filter((s): s is string => s !== undefined);
  return { threshold: t, ok, left, right, text: `${t.source}: ${shown.join(', ')}` };
}
