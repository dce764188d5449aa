// RFC 9457 problem+json answers the layer gives instead of running the handler.
import type { ResponseEnvelope } from './types.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_TYPE_BASE = 'urn:idemaudit:problem:';

export interface ProblemSpec {
  status: number;
  /** Stable slug, becomes `type` (urn:idemaudit:problem:<slug>). */
  slug: string;
  title: string;
  detail: string;
  headers?: Record<string, string>;
}

export function problemResponse(spec: ProblemSpec): ResponseEnvelope {
  const body = { type: PROBLEM_TYPE_BASE + spec.slug, title: spec.title, status: spec.status, detail: spec.detail };
  return {
    status: spec.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...spec.headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

export const problems = {
  missingKey: (header: string) =>
    problemResponse({
      status: 400,
      slug: 'missing-idempotency-key',
      title: 'Idempotency key required',
      detail: `This endpoint requires the ${header} header.`,
    }),
  invalidKey: (header: string, reason: string) =>
    problemResponse({
      status: 400,
      slug: 'invalid-idempotency-key',
      title: 'Malformed idempotency key',
      detail: `The ${header} header is not valid: ${reason}.`,
    }),
  inFlight: () =>
    problemResponse({
      status: 409,
      slug: 'request-in-progress',
      title: 'A request with this idempotency key is in progress',
      detail: 'Retry after the original request has completed to receive its result.',
      headers: { 'retry-after': '1' },
    }),
  mismatch: () =>
    problemResponse({
      status: 422,
      slug: 'idempotency-key-reused',
      title: 'Idempotency key reused with a different request',
      detail: 'This key was first used with another method, path or payload; use a new key for a new request.',
    }),
  storeUnavailable: () =>
    problemResponse({
      status: 503,
      slug: 'idempotency-store-unavailable',
      title: 'Idempotency store unavailable',
      detail: 'The request was not processed because its idempotency key could not be checked; retry with the same key.',
      headers: { 'retry-after': '1' },
    }),
  handlerFailed: () =>
    problemResponse({
      status: 500,
      slug: 'internal-error',
      title: 'Internal error',
      detail: 'The request failed; its idempotency key was released, so a retry with the same key may run it.',
    }),
  tooLarge: (maxBodyBytes: number) =>
    problemResponse({
      status: 413,
      slug: 'payload-too-large',
      title: 'Payload too large',
      detail: `The request body exceeds ${maxBodyBytes} bytes.`,
    }),
};
