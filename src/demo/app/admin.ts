// The reference server's own routes: the ledger oracle, health and Prometheus metrics. All are GET,
// so they pass through the idempotency layer untouched.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STORE_OUTAGE_PATH, type StoreOutageSwitch } from '../../reference/store/outage.js';
import type { ReferenceAppContext } from './context.js';
import { sendJson, sendProblem } from './respond.js';

/** GET /_idemaudit/ledger[?key=<unquoted key>[&tenant=<hashed tenant>]] */
export function sendLedger(app: ReferenceAppContext, res: ServerResponse, query: URLSearchParams): void {
  const key = query.get('key');
  if (key === null) return sendJson(res, 200, app.ledger.summary());
  sendJson(res, 200, app.ledger.forKey(key, query.get('tenant') ?? undefined));
}

/** GET /_idemaudit/health: what the auditor needs to know about this instance. */
export async function sendHealth(app: ReferenceAppContext, res: ServerResponse): Promise<void> {
  // The store's real state: a Redis that is down makes this instance unhealthy (503), not "ok".
  let storeError: string | undefined;
  try {
    await app.storeCheck?.();
  } catch (err) {
    storeError = err instanceof Error ? err.message : String(err);
  }
  const ok = storeError === undefined;
  if (app.admin !== true) {
    // Without --admin the instance says only whether it works: no settings, flaws or test switches.
    sendJson(res, ok ? 200 : 503, { ok, store: app.storeName, admin: false });
    return;
  }
  const { flaws, ...settings } = app.layer.settings;
  sendJson(res, ok ? 200 : 503, {
    ok,
    ...(storeError ? { storeError } : {}),
    admin: true,
    store: app.storeName,
    flaws,
    settings: { ...settings, processingMs: app.processingMs, abandonOnDisconnect: app.abandonOnDisconnect },
    // Test switches this instance offers (see src/reference/store/outage.ts).
    ...(app.storeOutage ? { faults: { storeOutage: STORE_OUTAGE_PATH, storeOutageActive: app.storeOutage.active } } : {}),
  });
}

/** Whether a request is for the store-outage switch (answered before the idempotency layer). */
export function isStoreOutageRequest(req: IncomingMessage): boolean {
  return (req.url ?? '').split('?')[0] === STORE_OUTAGE_PATH;
}

/** POST /_idemaudit/faults/store-outage?ms=N: every store call fails for N ms (0 ends an outage). */
export function sendStoreOutage(outage: StoreOutageSwitch, req: IncomingMessage, res: ServerResponse): void {
  // The switch takes no body; whatever was sent is read and dropped so the connection stays usable.
  req.resume();
  if (req.method !== 'POST') {
    sendProblem(res, {
      status: 405,
      slug: 'method-not-allowed',
      title: 'Method not allowed',
      detail: `use POST ${STORE_OUTAGE_PATH}?ms=N`,
      headers: { allow: 'POST' },
    });
    return;
  }
  const raw = new URL(req.url ?? '/', 'http://reference.invalid').searchParams.get('ms');
  const ms = raw !== null && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  let until: number;
  try {
    until = outage.trigger(ms);
  } catch (error) {
    sendProblem(res, { status: 400, slug: 'invalid-outage', title: 'Invalid outage', detail: error instanceof Error ? error.message : String(error) });
    return;
  }
  sendJson(res, 200, { ok: true, outageMs: ms, until });
}

export async function sendMetrics(app: ReferenceAppContext, res: ServerResponse): Promise<void> {
  const { contentType, body } = await app.metrics.render();
  res.statusCode = 200;
  res.setHeader('content-type', contentType);
  res.end(body);
}
