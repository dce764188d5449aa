// The inventory of an API's mutations and the per-endpoint governance checklist (GUIDE section 6),
// computed from the spec alone. Pure: operations in, rows and verdicts out.
import type { Operation } from './openapi/operations.js';
import type { LoadedSpec } from './openapi/load.js';
import type { RiskLevel } from './openapi/extension.js';
import { RISK_LEVELS } from './openapi/extension.js';
import { guessRisk, type RiskOverride, type RiskRule } from './risk.js';

export const INVENTORY_SCHEMA_VERSION = 1;

export interface InventoryRow {
  method: string;
  path: string;
  operationId: string | null;
  tags: string[];
  risk: RiskLevel;
  riskReason: string;
  /** The key header as declared, or null. */
  keyHeader: string | null;
  keyRequired: boolean;
  /** Why the key is not required (x-idempotency.justification), or null. */
  justification: string | null;
  /** Documented among 400, 409, 422. */
  documented: { '400': boolean; '409': boolean; '422': boolean };
  /** The status for a key reused with another payload, if the spec says (x-idempotency.conflict or a documented 422/409). */
  conflictStatus: number | null;
  retention: string | null;
  replayHeader: string | null;
  /** What this endpoint still lacks, for people; empty when its checklist is complete. */
  gaps: string[];
  problems: string[];
}

export interface Inventory {
  schemaVersion: number;
  spec: { source: string; version: string; title: string | null };
  keyHeaders: string[];
  /** Risk levels whose mutations must declare a required key (the CI gate). */
  requireKeyFor: RiskLevel[];
  rows: InventoryRow[];
  summary: {
    mutations: number;
    byRisk: Record<RiskLevel, number>;
    withKey: number;
    withRequiredKey: number;
    lackingKey: string[];
    noConflictSemantics: string[];
    noRetention: string[];
    /** Mutations at a gated risk level without a required key: each one fails the gate. */
    gateViolations: string[];
  };
  verdict: 'pass' | 'fail';
}

export interface InventoryOptions {
  keyHeaders: string[];
  rules?: readonly RiskRule[];
  overrides?: readonly RiskOverride[];
  requireKeyFor?: RiskLevel[];
}

const has = (responses: string[], code: string): boolean => responses.includes(code);

export const routeOf = (r: { method: string; path: string }): string => `${r.method} ${r.path}`;

export function inventoryRow(op: Operation, opts: Pick<InventoryOptions, 'rules' | 'overrides'>): InventoryRow {
  const guess = guessRisk(op, { rules: opts.rules ?? [], overrides: opts.overrides ?? [], ...(op.extension.risk ? { declared: op.extension.risk } : {}) });
  const documented = { '400': has(op.responses, '400'), '409': has(op.responses, '409'), '422': has(op.responses, '422') };
  const conflictStatus = op.extension.conflict ?? (documented['422'] ? 422 : documented['409'] ? 409 : null);
  const gaps: string[] = [];
  if (!op.key) gaps.push('no idempotency key header declared');
  else if (!op.key.required && !op.extension.justification) gaps.push('key optional without a justification');
  if (op.key || op.extension.required) {
    if (conflictStatus === null) gaps.push('no conflict semantics (409/422) documented');
    if (!documented['400']) gaps.push('no 400 documented for a missing or malformed key');
    if (!op.extension.retention) gaps.push('no retention declared (x-idempotency.retention)');
    if (!op.replayHeader) gaps.push('no replay marker header documented');
  }
  return {
    method: op.method,
    path: op.path,
    operationId: op.operationId ?? null,
    tags: op.tags,
    risk: guess.risk,
    riskReason: guess.reason,
    keyHeader: op.key?.header ?? null,
    keyRequired: op.key?.required ?? false,
    justification: op.extension.justification ?? null,
    documented,
    conflictStatus,
    retention: op.extension.retention ?? null,
    replayHeader: op.replayHeader ?? null,
    gaps,
    problems: op.extensionProblems,
  };
}

export function buildInventory(spec: LoadedSpec, operations: Operation[], opts: InventoryOptions): Inventory {
  const requireKeyFor = opts.requireKeyFor ?? ['critical'];
  const rows = operations.map((op) => inventoryRow(op, opts));
  const byRisk = Object.fromEntries(RISK_LEVELS.map((l) => [l, 0])) as Record<RiskLevel, number>;
  for (const r of rows) byRisk[r.risk] += 1;
  const gateViolations = rows.filter((r) => requireKeyFor.includes(r.risk) && !r.keyRequired).map(routeOf);
  const info = spec.doc.info as { title?: unknown } | undefined;
  return {
    schemaVersion: INVENTORY_SCHEMA_VERSION,
    spec: { source: spec.source, version: spec.version, title: typeof info?.title === 'string' ? info.title : null },
    keyHeaders: opts.keyHeaders,
    requireKeyFor,
    rows,
    summary: {
      mutations: rows.length,
      byRisk,
      withKey: rows.filter((r) => r.keyHeader).length,
      withRequiredKey: rows.filter((r) => r.keyRequired).length,
      lackingKey: rows.filter((r) => !r.keyHeader).map(routeOf),
      noConflictSemantics: rows.filter((r) => r.conflictStatus === null).map(routeOf),
      noRetention: rows.filter((r) => r.retention === null).map(routeOf),
      gateViolations,
    },
    verdict: gateViolations.length > 0 ? 'fail' : 'pass',
  };
}
