// Writing answers from the demo handlers. They write to the real ServerResponse as any node:http
// handler would; the adapter captures it for the idempotency layer.
import type { ServerResponse } from 'node:http';
import { problemResponse, type ProblemSpec } from '../../reference/layer/problem.js';
import type { ResponseEnvelope } from '../../reference/layer/types.js';

export function sendEnvelope(res: ServerResponse, envelope: ResponseEnvelope): void {
  res.statusCode = envelope.status;
  for (const [name, value] of Object.entries(envelope.headers)) res.setHeader(name, value);
  res.end(envelope.body);
}

export function sendJson(res: ServerResponse, status: number, doc: unknown, headers: Record<string, string> = {}): void {
  sendEnvelope(res, {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify(doc)),
  });
}

export function sendProblem(res: ServerResponse, spec: ProblemSpec): void {
  sendEnvelope(res, problemResponse(spec));
}

export function notFound(res: ServerResponse, what: string): void {
  sendProblem(res, { status: 404, slug: 'not-found', title: 'Not found', detail: `${what} does not exist.` });
}
