// Executions of one key read from several ledgers (one per instance or region, scenario `targets:`),
// merged into one count. Ledgers that list execution ids merge by id. Ledgers that only answer a
// count cannot: one ledger shared by every instance answers the same count through each (summing
// double counts, a false fail), separate ledgers answer a part each (one reading misses executions,
// a false pass). Which of the two it is comes from a calibration (checks/ledger-calibration.ts); a
// merge without one counts the lower bound, never more than certainly happened.

/** How the readings were merged: by execution id, one reading of one shared ledger, the sum over separate ledgers, or the lower bound. */
export type LedgerMode = 'by-id' | 'shared' | 'separate' | 'uncertain';

/** One ledger's answer for a key: its count, and the execution ids when it lists them (one per execution). */
export interface LedgerReading {
  n: number;
  ids?: string[];
}

/**
 * The ledgers to read and, when a calibration found it, which of them are one ledger: groups of indices
 * into `urls` (every index in exactly one group). Without `groups`, count-only readings merge to the lower bound.
 */
export interface LedgerPlan {
  urls: string[];
  groups?: number[][];
  /**
   * Instances whose executions no ledger was shown to count (no ledger of their own, and not seen
   * writing to another's): whatever the readings say, the count is a lower bound (mode `uncertain`).
   */
  unseen?: string[];
}

/** Whether `groups` partitions the indices 0..n-1 (a plan for other readings is no plan). */
export function partitions(groups: number[][] | undefined, n: number): groups is number[][] {
  if (!groups) return false;
  const seen = groups.flat();
  return seen.length === n && new Set(seen).size === n && seen.every((i) => Number.isInteger(i) && i >= 0 && i < n) && groups.every((g) => g.length > 0);
}

/**
 * Merges one key's readings (in the order of the plan's URLs). By id when every reading lists ids;
 * otherwise one reading per group (the highest: readings of one ledger) added up across groups; with
 * no usable groups, the highest single reading: a lower bound that never counts an execution twice.
 */
export function mergeLedgerReadings(readings: LedgerReading[], groups?: number[][]): { n: number; mode: LedgerMode } {
  if (readings.length === 0) return { n: 0, mode: 'uncertain' };
  if (readings.length === 1) return { n: readings[0]!.n, mode: 'shared' };
  if (readings.every((r) => r.ids !== undefined)) return { n: new Set(readings.flatMap((r) => r.ids!)).size, mode: 'by-id' };
  if (partitions(groups, readings.length)) {
    const n = groups.reduce((sum, g) => sum + Math.max(...g.map((i) => readings[i]!.n)), 0);
    return { n, mode: groups.length === 1 ? 'shared' : 'separate' };
  }
  return { n: Math.max(...readings.map((r) => r.n)), mode: 'uncertain' };
}
