// Fabricated histories for the pure chaos functions: a tiny builder that stamps operations the way
// HistoryLog does, so tests read like the JSONL file.
import { HistoryLog, type HistoryOp, type HistoryOpInput, type LedgerEntry } from '../../../src/engine/history.js';

export class FakeHistory {
  #clock = 0;
  readonly #log = new HistoryLog(() => this.#clock);
  readonly ops: HistoryOp[] = [];

  /** Advances the clock by `ms` and records `op` at that time (epoch = clock + 1e12). */
  at(ms: number, op: HistoryOpInput): HistoryOp {
    this.#clock += ms;
    const recorded = this.#log.record({ at: 1e12 + this.#clock, ...op });
    this.ops.push(recorded);
    return recorded;
  }

  /** An attempt: its invoke now, its completion `durationMs` later. */
  attempt(
    key: string,
    attempt: number,
    completion: Partial<HistoryOpInput> & { type: 'ok' | 'fail' | 'unknown' },
    extra: Partial<HistoryOpInput> = {},
    durationMs = 10,
  ): [HistoryOp, HistoryOp] {
    const base = { process: `check/ep/${key}`, f: 'POST /payments', key, attempt, ...extra };
    const invoke = this.at(1, { type: 'invoke', ...base });
    const done = this.at(durationMs, { ...base, ...completion });
    return [invoke, done];
  }

  oracle(key: string, executions: number | null, ledger?: LedgerEntry[], by: Record<string, number> = {}): HistoryOp {
    this.at(1, { type: 'invoke', process: 'oracle', f: 'count', key });
    return this.at(1, { type: 'ok', process: 'oracle', f: 'count', key, value: { executions, by, ids: [], ...(ledger ? { ledger } : {}) } });
  }

  fault(key: string, fault: string, upstreamStatuses?: number[]): HistoryOp {
    return this.at(0, { type: 'fault', process: 'proxy', f: fault, key, ...(upstreamStatuses ? { upstreamStatuses } : {}) });
  }

  /** Epoch ms of the clock now (as the ledger would stamp it). */
  get now(): number {
    return 1e12 + this.#clock;
  }
}
