// The estate API: inventory from OpenAPI, scenarios generated from it, passive observation of
// traffic. Imports only scenario, report, metrics and errors (never engine, checks or cli).
import { loadSpec, type LoadOptions, type LoadedSpec } from './openapi/load.js';
import { DEFAULT_KEY_HEADERS, mutationOperations } from './openapi/operations.js';
import type { RiskLevel } from './openapi/extension.js';
import { buildInventory, inventoryRow, type Inventory } from './inventory.js';
import type { RiskOverride, RiskRule } from './risk.js';
import type { Selected } from './scenario-gen.js';

export { loadSpec, type LoadedSpec, type LoadOptions } from './openapi/load.js';
export { DEFAULT_KEY_HEADERS, mutationOperations, type Operation } from './openapi/operations.js';
export { RISK_LEVELS, type RiskLevel } from './openapi/extension.js';
export { buildInventory, type Inventory, type InventoryRow } from './inventory.js';
export { parseRiskOverride, parseRiskRules, DEFAULT_RISK_RULES, type RiskRule, type RiskOverride } from './risk.js';
export { renderInventory, INVENTORY_FORMATS, type InventoryFormat } from './render/inventory.js';
export { generateScenario, selectOperations, type OperationFilter } from './scenario-gen.js';
export { OpenApiError, TrafficError } from './errors.js';

export interface EstateOptions {
  keyHeaders?: string[];
  rules?: readonly RiskRule[];
  overrides?: readonly RiskOverride[];
  requireKeyFor?: RiskLevel[];
}

/** Load a spec and take its inventory; also returns each operation with its row (for init). */
export async function inventorySpec(
  source: string,
  load: LoadOptions,
  opts: EstateOptions = {},
): Promise<{ spec: LoadedSpec; inventory: Inventory; selected: Selected[] }> {
  const spec = await loadSpec(source, load);
  const keyHeaders = opts.keyHeaders?.length ? opts.keyHeaders : DEFAULT_KEY_HEADERS;
  const ops = mutationOperations(spec.doc, keyHeaders);
  const inventory = buildInventory(spec, ops, {
    keyHeaders,
    rules: opts.rules ?? [],
    overrides: opts.overrides ?? [],
    ...(opts.requireKeyFor ? { requireKeyFor: opts.requireKeyFor } : {}),
  });
  const selected = ops.map((op) => ({ op, row: inventoryRow(op, { rules: opts.rules ?? [], overrides: opts.overrides ?? [] }) }));
  return { spec, inventory, selected };
}

/** The base URL a spec names (OpenAPI servers[0], Swagger host + basePath), if any. */
export function specBaseUrl(spec: LoadedSpec): string | undefined {
  const doc = spec.doc as { servers?: { url?: unknown }[]; host?: unknown; basePath?: unknown; schemes?: unknown };
  const url = doc.servers?.[0]?.url;
  if (typeof url === 'string' && /^https?:\/\//.test(url)) return url.replace(/\/+$/, '');
  if (typeof doc.host === 'string') {
    const scheme = Array.isArray(doc.schemes) && doc.schemes.includes('https') ? 'https' : 'http';
    return `${scheme}://${doc.host}${typeof doc.basePath === 'string' ? doc.basePath : ''}`.replace(/\/+$/, '');
  }
  return undefined;
}
export { observeFile, INPUT_FORMATS, type InputFormat, type ObserveReport, type ObserveFileOptions } from './observe/observe.js';
export { renderObserve, OBSERVE_FORMATS, type ObserveFormat } from './render/observe.js';
