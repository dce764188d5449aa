// Side-effect oracles of a load run (pure): the ledger's summary document and the figures each
// oracle reports, reduced to one count of duplicate executions.

export interface LedgerSummaryDoc {
  total: number;
  duplicates: Array<{ key: string; executions: number }>;
}

export function parseLedgerSummary(doc: unknown): LedgerSummaryDoc | undefined {
  if (!doc || typeof doc !== 'object') return undefined;
  const d = doc as { total?: unknown; duplicates?: unknown };
  if (typeof d.total !== 'number' || !Array.isArray(d.duplicates)) return undefined;
  const duplicates = d.duplicates.filter(
    (x): x is { key: string; executions: number } =>
      !!x && typeof (x as { key?: unknown }).key === 'string' && typeof (x as { executions?: unknown }).executions === 'number',
  );
  return { total: d.total, duplicates };
}

export interface OracleFigures {
  /** Executions beyond the first, per oracle that could tell. */
  identity?: number;
  /** Ledger summary: keys of this run listed as executed more than once. */
  ledgerKeys?: number;
  /** Ledger summary: executions during the run beyond one per key sent. */
  ledgerExcess?: number;
  /** Per-key oracles (probe, ledger) on a sample of duplicated keys. */
  sampled?: { keys: number; excess: number };
}

/** The most any oracle saw; null when none could see anything. */
export function duplicateExecutions(o: OracleFigures): number | null {
  const seen = [o.identity, o.ledgerKeys, o.ledgerExcess, o.sampled?.excess].filter((n): n is number => n !== undefined);
  return seen.length === 0 ? null : Math.max(...seen);
}
