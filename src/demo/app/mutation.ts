// The shape every demo mutation shares: validate, work for processingMs, record the side effect in
// the ledger, answer. Validation failures are ordinary 400 answers (stored and replayed as 4xx).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { NodeRequestContext } from '../../reference/adapters/node.js';
import { AbandonedRequestError } from '../../reference/layer/abandoned.js';
import { tenantFromAuthorization } from '../../reference/layer/tenant.js';
import { preciseNow } from '../../reference/layer/clock.js';
import { ledgerKeyOf, type ReferenceAppContext } from './context.js';
import { sendEnvelope, sendProblem } from './respond.js';
import { etagOf, exchangeHeaders, newId } from './resources.js';
import { parseJsonBody, type Simulate } from './validation.js';
import { simulateWork } from './work.js';
import { chargeDownstream } from './downstream.js';

export interface MutationSpec<T extends { simulate?: Simulate | undefined }> {
  schema: z.ZodType<T>;
  /** Id prefix, e.g. `pay`. */
  idPrefix: string;
  /** Collection path, e.g. `/payments`; the Location is `<collection>/<id>`. */
  collection: string;
  store: (app: ReferenceAppContext) => Map<string, Record<string, unknown>>;
  render: (input: T, id: string, created: string) => Record<string, unknown>;
  /** The body of the charge at service B, when the app calls one (payments do). */
  downstreamBody?: (input: T) => Record<string, unknown>;
}

export async function runMutation<T extends { simulate?: Simulate | undefined }>(
  spec: MutationSpec<T>,
  app: ReferenceAppContext,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: NodeRequestContext,
): Promise<void> {
  const parsed = parseJsonBody(spec.schema, ctx.body);
  if (!parsed.ok) {
    sendProblem(res, { status: 400, slug: 'invalid-body', title: 'Invalid request body', detail: parsed.detail });
    return;
  }
  const input = parsed.value;
  // Service B is called first, then A works and records its own effect: a worker that dies in
  // between has charged B without finishing, and only a stable key keeps the re-execution from
  // charging B again (what downstream-dedupe's timeout situation rehearses).
  if (app.downstream && spec.downstreamBody) {
    const tenant = tenantFromAuthorization(req.headers);
    const charged = await chargeDownstream(app.downstream, req, {
      tenant,
      clientKey: ledgerKeyOf(req, app.layer.settings.keyHeader),
      body: spec.downstreamBody(input),
    });
    if (!charged.ok) {
      sendProblem(res, { status: 502, slug: 'downstream-failed', title: 'Payment processor failed', detail: charged.detail });
      return;
    }
  }
  await simulateWork(app.processingMs, res, app.abandonOnDisconnect);
  if (input.simulate === 'crash') throw new AbandonedRequestError('simulated crash before the side effect');

  const id = newId(spec.idPrefix);
  const doc = spec.render(input, id, new Date().toISOString());
  spec.store(app).set(id, doc);
  app.ledger.record(ledgerKeyOf(req, app.layer.settings.keyHeader), {
    tenant: tenantFromAuthorization(req.headers),
    method: req.method ?? 'POST',
    path: spec.collection,
    id,
    receivedAt: ctx.receivedAt,
    executedAt: preciseNow(),
  });

  if (input.simulate === 500 || input.simulate === 503) {
    // The side effect has happened; only the answer fails (the classic "5xx after commit").
    sendProblem(res, {
      status: input.simulate,
      slug: 'simulated-failure',
      title: 'Simulated failure',
      detail: `The request was processed, then answered ${input.simulate} on purpose.`,
      ...(input.simulate === 503 ? { headers: { 'retry-after': '1' } } : {}),
    });
    return;
  }
  const body = JSON.stringify(doc);
  sendEnvelope(res, {
    status: 201,
    headers: {
      'content-type': 'application/json',
      location: `${spec.collection}/${id}`,
      etag: etagOf(body),
      ...exchangeHeaders(),
    },
    body: Buffer.from(body),
  });
}
