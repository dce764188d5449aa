// RFC 9457 problem+json answers the layer gives instead of running the handler.
import type { LayerProblems, ResponseEnvelope } from './types.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** Default base of every problem `type` (LayerOptions.problemTypeBase): `type` is base + slug. */
export const DEFAULT_PROBLEM_TYPE_BASE = 'urn:idemaudit:problem:';

export interface ProblemSpec {
  status: number;
  /** Stable slug, becomes `type` (<base><slug>, by default urn:idemaudit:problem:<slug>). */
  slug: string;
  title: string;
  detail: string;
  headers?: Record<string, string>;
}

export function problemResponse(spec: ProblemSpec, typeBase: string = DEFAULT_PROBLEM_TYPE_BASE): ResponseEnvelope {
  const body = { type: typeBase + spec.slug, title: spec.title, status: spec.status, detail: spec.detail };
  return {
    status: spec.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...spec.headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** The layer's answers, with `type` URIs under `typeBase` (e.g. https://errors.example.com/idempotency/). */
export function createProblems(typeBase: string = DEFAULT_PROBLEM_TYPE_BASE): LayerProblems {
  const problem = (spec: ProblemSpec): ResponseEnvelope => problemResponse(spec, typeBase);
  return {
    missingKey: (header: string) =>
      problem({
        status: 400,
        slug: 'missing-idempotency-key',
        title: 'Idempotency key required',
        detail: `This endpoint requires the ${header} header.`,
      }),
    invalidKey: (header: string, reason: string) =>
      problem({
        status: 400,
        slug: 'invalid-idempotency-key',
        title: 'Malformed idempotency key',
        detail: `The ${header} header is not valid: ${reason}.`,
      }),
    inFlight: () =>
      problem({
        status: 409,
        slug: 'request-in-progress',
        title: 'A request with this idempotency key is in progress',
        detail: 'Retry after the original request has completed to receive its result.',
        headers: { 'retry-after': '1' },
      }),
    mismatch: () =>
      problem({
        status: 422,
        slug: 'idempotency-key-reused',
        title: 'Idempotency key reused with a different request',
        detail: 'This key was first used with another method, path or payload; use a new key for a new request.',
      }),
    storeUnavailable: () =>
      problem({
        status: 503,
        slug: 'idempotency-store-unavailable',
        title: 'Idempotency store unavailable',
        detail: 'The request was not processed because its idempotency key could not be checked; retry with the same key.',
        headers: { 'retry-after': '1' },
      }),
    handlerFailed: () =>
      problem({
        status: 500,
        slug: 'internal-error',
        title: 'Internal error',
        detail: 'The request failed; its idempotency key was released, so a retry with the same key may run it.',
      }),
    tooLarge: (maxBodyBytes: number) =>
      problem({
        status: 413,
        slug: 'payload-too-large',
        title: 'Payload too large',
        detail: `The request body exceeds ${maxBodyBytes} bytes.`,
      }),
  };
}

export type Problems = LayerProblems;

/** The answers under the default type base. */
export const problems: Problems = createProblems();
