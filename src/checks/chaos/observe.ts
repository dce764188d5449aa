// Reading the side-effect oracles for a key, as an operation of the history's `oracle` process.
import type { CheckContext } from '../api.js';
import type { Exchange } from '../../core/exchange.js';
import type { HistoryOp, LedgerEntry } from '../../engine/history.js';
import type { ExecutionCount } from '../../engine/oracle.js';
import type { ChaosPort } from './port.js';

export interface OracleRead {
  count: ExecutionCount;
  /** The ledger's executions for the key, when the target has a ledger. */
  ledger?: LedgerEntry[];
  /** The invoke and ok operations of the read. */
  ops: HistoryOp[];
}

/** Counts executions of `key` with every oracle (and the ledger's entries), recorded in the history. */
export async function readOracle(ctx: CheckContext<unknown>, chaos: ChaosPort, key: string, exchanges: Exchange[], tenant?: string): Promise<OracleRead> {
  const invoke = chaos.record({ type: 'invoke', process: 'oracle', f: 'count', key });
  const [count, ledger] = await Promise.all([ctx.oracle.count(ctx.endpoint, key, exchanges, tenant), chaos.ledger(key)]);
  const by: Record<string, number> = {};
  for (const [name, n] of Object.entries(count.by)) if (n !== undefined) by[name] = n;
  // The ledger read here may have seen one more execution than the oracle's: take the larger.
  const executions = ledger && (count.executions === null || ledger.length > count.executions) ? ledger.length : count.executions;
  const merged: ExecutionCount = { ...count, executions };
  const ok = chaos.record({
    type: 'ok',
    process: 'oracle',
    f: 'count',
    key,
    value: { executions, by, ids: count.ids, ...(ledger ? { ledger } : {}) },
  });
  const read: OracleRead = { count: merged, ops: [invoke, ok] };
  if (ledger) read.ledger = ledger;
  return read;
}
