// The chaos history, Jepsen-style: every attempt a client makes is an `invoke` followed by its
// completion, `ok`, `fail` or `unknown` (a timeout or a reset after the request left: it may or may
// not have executed). Oracle reads (ledger, probe) are operations of the `oracle` process, and what
// the fault proxy did is a `fault` line. Checks keep the operations of their own keys in memory to
// judge them; the run streams every operation to `<report-dir>/<scenario>-<stamp>.history.jsonl`.
//
// One JSON object per line (format version 1):
//   {"v":1,"index":0,"time":812.4,"at":1763827200812.4,"type":"invoke","process":"lost-response/create-payment/1",
//    "f":"POST /payments","check":"lost-response","endpoint":"create-payment","key":"ia-...","attempt":1,
//    "route":"proxy","faults":["drop-response-after-upstream"],"timeoutMs":2000,"seq":41}
//   {"v":1,...,"type":"unknown","attempt":1,"error":"connection reset (ECONNRESET)","durationMs":103.2,"seq":41}
//   {"v":1,...,"type":"ok","attempt":2,"status":201,"identity":"pay_1f...","bodySha256":"9c...","durationMs":2.1,"seq":42}
//   {"v":1,...,"type":"fault","process":"proxy","f":"drop-response-after-upstream","key":"ia-...","upstreamStatuses":[201]}
//   {"v":1,...,"type":"ok","process":"oracle","f":"count","key":"ia-...","value":{"executions":1,"by":{"ledger":1},...}}
// `time` is milliseconds since the run started (monotonic); `at` is epoch milliseconds, comparable
// with the reference ledger's receivedAt/executedAt. Bodies and headers never enter the history.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';

export const HISTORY_FORMAT_VERSION = 1;

export type HistoryOpType = 'invoke' | 'ok' | 'fail' | 'unknown' | 'fault';

export interface LedgerEntry {
  /** Id of the resource the execution created. */
  id: string;
  /** Epoch ms at which the executing request finished arriving. */
  receivedAt?: number;
  /** Epoch ms at which the side effect was recorded. */
  executedAt?: number;
}

export interface OracleValue {
  executions: number | null;
  by: Record<string, number>;
  /** Distinct identities the identity oracle saw. */
  ids: string[];
  /** The ledger's executions for the key, when the target has a ledger. */
  ledger?: LedgerEntry[];
}

export interface HistoryOp {
  v: typeof HISTORY_FORMAT_VERSION;
  /** Position in the run's history (0-based, gap-free). */
  index: number;
  /** Milliseconds since the run started. */
  time: number;
  /** Epoch milliseconds. */
  at: number;
  type: HistoryOpType;
  /** The logical client `<check>/<endpoint>/<round>`; `oracle` for oracle reads; `proxy` for fault events; `nemesis` for store outages. */
  process: string;
  /** What was done: `POST /payments`, `count`, or the fault's name. */
  f: string;
  check?: string;
  endpoint?: string;
  key?: string;
  /** 1-based attempt of the client's retry loop. */
  attempt?: number;
  /** What the attempt was for, when not an ordinary attempt: `calibrate`, `abandon`, `poll`, `verify`, `outage`. */
  role?: string;
  /** `proxy`: through the fault proxy; `direct`: straight to the target. */
  route?: 'proxy' | 'direct';
  faults?: string[];
  timeoutMs?: number;
  /** The exchange's sequence number in the report (evidence). */
  seq?: number;
  status?: number;
  error?: string;
  /** Resource id read with the endpoint's `identity` pointer from a successful answer. */
  identity?: string;
  bodySha256?: string;
  durationMs?: number;
  /** What the upstream answered before the fault took over. */
  upstreamStatuses?: number[];
  delayMs?: number;
  /** Oracle reads: what the oracle answered. */
  value?: OracleValue;
}

/** What a caller supplies; the log stamps version, index and times. */
export type HistoryOpInput = Omit<HistoryOp, 'v' | 'index' | 'time' | 'at'> & { at?: number };

export interface HistoryWriterOptions {
  /** Lines written at most; later ones are counted as dropped. Default 200 000. */
  maxOps?: number;
  /** Bytes written at most. Default 64 MiB. */
  maxBytes?: number;
  /**
   * Applied to every operation before it is written: the run's redactor, so a secret the target
   * reflects (into an identity, an error text, a path) never reaches the file, as in every other output.
   */
  redact?: (op: HistoryOp) => HistoryOp;
}

export interface HistoryFileSummary {
  file: string;
  ops: number;
  dropped: number;
  /** Why the file is incomplete, when writing failed (the audit itself goes on). */
  error?: string;
}

/**
 * Streams operations to a JSONL file, created on the first operation (a run without chaos checks
 * leaves no file). Bounded: past maxOps lines or maxBytes, operations are counted, not written,
 * and a final `{"type":"truncated"}` line says how many.
 */
export class HistoryWriter {
  readonly #file: string;
  readonly #maxOps: number;
  readonly #maxBytes: number;
  readonly #redact: ((op: HistoryOp) => HistoryOp) | undefined;
  #stream: WriteStream | undefined;
  #error: Error | undefined;
  #ops = 0;
  #bytes = 0;
  #dropped = 0;

  constructor(file: string, options: HistoryWriterOptions = {}) {
    this.#file = file;
    this.#maxOps = options.maxOps ?? 200_000;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#redact = options.redact;
  }

  get file(): string {
    return this.#file;
  }

  get ops(): number {
    return this.#ops;
  }

  #open(): void {
    if (this.#stream) return;
    // Once per run, before the first line: a synchronous mkdir keeps the open and the writes in order.
    mkdirSync(path.dirname(this.#file), { recursive: true });
    const stream = createWriteStream(this.#file, { flags: 'w', encoding: 'utf8' });
    stream.on('error', (err) => {
      this.#error = err;
    });
    this.#stream = stream;
  }

  append(op: HistoryOp): void {
    if (this.#error) {
      this.#dropped++;
      return;
    }
    const line = `${JSON.stringify(this.#redact ? this.#redact(op) : op)}\n`;
    if (this.#ops >= this.#maxOps || this.#bytes + line.length > this.#maxBytes) {
      this.#dropped++;
      return;
    }
    try {
      this.#open();
    } catch (err) {
      this.#error = err as Error;
      this.#dropped++;
      return;
    }
    this.#ops++;
    this.#bytes += line.length;
    this.#stream!.write(line);
  }

  /** Flushes and closes the file; undefined when nothing was ever recorded. */
  async close(): Promise<HistoryFileSummary | undefined> {
    const stream = this.#stream;
    if (!stream) return this.#error ? { file: this.#file, ops: 0, dropped: this.#dropped, error: this.#error.message } : undefined;
    if (this.#dropped > 0 && !this.#error) stream.write(`${JSON.stringify({ v: HISTORY_FORMAT_VERSION, type: 'truncated', dropped: this.#dropped })}\n`);
    await new Promise<void>((resolve) => {
      if (stream.destroyed) return resolve();
      stream.end(() => resolve());
      stream.once('error', () => resolve());
    });
    const summary: HistoryFileSummary = { file: this.#file, ops: this.#ops, dropped: this.#dropped };
    if (this.#error) summary.error = this.#error.message;
    return summary;
  }
}

/** Stamps operations with a run-wide index and times, and hands them to the writer (if any). */
export class HistoryLog {
  #index = 0;

  constructor(
    private readonly now: () => number,
    private readonly writer?: HistoryWriter,
  ) {}

  record(input: HistoryOpInput): HistoryOp {
    const { at, type, process, f, ...rest } = input;
    const time = Math.round(this.now() * 1000) / 1000;
    const epoch = Math.round((at ?? performance.timeOrigin + performance.now()) * 1000) / 1000;
    // Fixed leading fields, so the file reads well line by line.
    const op: HistoryOp = { v: HISTORY_FORMAT_VERSION, index: this.#index++, time, at: epoch, type, process, f, ...rest };
    this.writer?.append(op);
    return op;
  }
}

/** Parses a history file's text back into operations (skips the `truncated` trailer and blank lines). */
export function parseHistory(text: string): HistoryOp[] {
  const ops: HistoryOp[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const op = JSON.parse(line) as HistoryOp | { type: 'truncated' };
    if (op.type === 'truncated') continue;
    ops.push(op);
  }
  return ops;
}
