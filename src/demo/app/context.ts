// What the demo handlers share: the ledger, the resources created so far and the settings.
import type { IncomingMessage } from 'node:http';
import { headerValue } from '../../reference/layer/headers.js';
import { parseIdempotencyKey } from '../../reference/layer/key-syntax.js';
import type { IdempotencyLayer } from '../../reference/layer/types.js';
import type { ReferenceMetrics } from '../../reference/observability/metrics.js';
import type { StoreOutageSwitch } from '../../reference/store/outage.js';
import type { DownstreamSettings } from './downstream.js';
import type { Ledger } from './ledger.js';

export interface ReferenceAppContext {
  layer: IdempotencyLayer;
  storeName: string;
  ledger: Ledger;
  metrics: ReferenceMetrics;
  processingMs: number;
  abandonOnDisconnect: boolean;
  payments: Map<string, Record<string, unknown>>;
  refunds: Map<string, Record<string, unknown>>;
  /** The store-outage switch, when the server installed one (advertised by the health route). */
  storeOutage?: StoreOutageSwitch;
  /** Ledger and fault routes answer only when true (serve --admin): never on an exposed server. */
  admin?: boolean;
  /** Asks the store a harmless question; rejects when it cannot answer (health reports the real state). */
  storeCheck?: () => Promise<unknown>;
  /** Service B the payment route charges while it executes (serve --downstream). */
  downstream?: DownstreamSettings;
}

/** The key as the client sent it, unquoted, for the ledger; null when absent or unusable. */
export function ledgerKeyOf(req: IncomingMessage, keyHeader: string): string | null {
  const raw = headerValue(req.headers, keyHeader);
  if (raw === undefined) return null;
  const parsed = parseIdempotencyKey(raw, 'lenient');
  return parsed.ok ? parsed.key : null;
}
