// The reference server's own routes: the ledger oracle, health and Prometheus metrics. All are GET,
// so they pass through the idempotency layer untouched.
import type { ServerResponse } from 'node:http';
import type { ReferenceAppContext } from './context.js';
import { sendJson } from './respond.js';

/** GET /_idemaudit/ledger[?key=<unquoted key>[&tenant=<hashed tenant>]] */
export function sendLedger(app: ReferenceAppContext, res: ServerResponse, query: URLSearchParams): void {
  const key = query.get('key');
  if (key === null) return sendJson(res, 200, app.ledger.summary());
  sendJson(res, 200, app.ledger.forKey(key, query.get('tenant') ?? undefined));
}

/** GET /_idemaudit/health: what the auditor needs to know about this instance. */
export function sendHealth(app: ReferenceAppContext, res: ServerResponse): void {
  const { flaws, ...settings } = app.layer.settings;
  sendJson(res, 200, {
    ok: true,
    store: app.storeName,
    flaws,
    settings: { ...settings, processingMs: app.processingMs, abandonOnDisconnect: app.abandonOnDisconnect },
  });
}

export async function sendMetrics(app: ReferenceAppContext, res: ServerResponse): Promise<void> {
  const { contentType, body } = await app.metrics.render();
  res.statusCode = 200;
  res.setHeader('content-type', contentType);
  res.end(body);
}
