// Header lookups that tolerate callers passing mixed-case names (node:http lower-cases, tests and
// some frameworks may not).
import type { RequestHeaders } from './types.js';

export function headerValue(headers: RequestHeaders, name: string): string | string[] | undefined {
  const lower = name.toLowerCase();
  const direct = headers[lower];
  if (direct !== undefined) return direct;
  for (const candidate in headers) {
    if (Object.hasOwn(headers, candidate) && candidate.toLowerCase() === lower) return headers[candidate];
  }
  return undefined;
}

/** The first value of a header, for headers that are meaningful once (Authorization). */
export function singleHeader(headers: RequestHeaders, name: string): string | undefined {
  const value = headerValue(headers, name);
  return Array.isArray(value) ? value[0] : value;
}
