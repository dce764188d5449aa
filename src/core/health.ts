// The health document a reference server answers on GET /_idemaudit/health, read in one place:
// the audit asks it for the ledger oracle, the chaos port for the lease and the outage switch.

export const HEALTH_PATH = '/_idemaudit/health';

/** What a reference server says about itself; undefined fields are unknown. */
export interface ServerHealth {
  store?: string;
  leaseMs?: number;
  processingMs?: number;
  abandonOnDisconnect?: boolean;
  flaws?: string[];
  /** Path of the store-outage switch, when the server has one. */
  storeOutagePath?: string;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The parsed health document, or undefined when `doc` is not one (any other API's answer). */
export function parseHealth(doc: unknown): ServerHealth | undefined {
  if (doc === null || typeof doc !== 'object') return undefined;
  const d = doc as { ok?: unknown; store?: unknown; flaws?: unknown; settings?: Record<string, unknown>; faults?: Record<string, unknown> };
  if (d.ok !== true || typeof d.store !== 'string') return undefined;
  const out: ServerHealth = { store: d.store };
  const s = d.settings ?? {};
  const lease = num(s.leaseMs);
  const processing = num(s.processingMs);
  if (lease !== undefined) out.leaseMs = lease;
  if (processing !== undefined) out.processingMs = processing;
  if (typeof s.abandonOnDisconnect === 'boolean') out.abandonOnDisconnect = s.abandonOnDisconnect;
  if (Array.isArray(d.flaws)) out.flaws = d.flaws.filter((f): f is string => typeof f === 'string');
  if (d.faults && typeof d.faults.storeOutage === 'string' && d.faults.storeOutage.startsWith('/')) out.storeOutagePath = d.faults.storeOutage;
  return out;
}

/** parseHealth over the raw body text; undefined for anything that is not the JSON health document. */
export function parseHealthText(text: string): ServerHealth | undefined {
  try {
    return text ? parseHealth(JSON.parse(text)) : undefined;
  } catch {
    return undefined;
  }
}
