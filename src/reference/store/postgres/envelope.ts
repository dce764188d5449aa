// The stored response envelope as one bytea: a JSON line {"status":..,"headers":{..}}, a newline,
// then the body bytes as they are. JSON.stringify never emits a raw newline, so the first 0x0A ends
// the head; readable with `convert_from(substring(response ...))` when debugging.
import { StoreUnavailableError, type StoredResponse } from '../types.js';

const NEWLINE = 0x0a;

export function encodeEnvelope(response: StoredResponse): Buffer {
  const head = Buffer.from(`${JSON.stringify({ status: response.status, headers: response.headers })}\n`);
  return Buffer.concat([head, Buffer.from(response.bodyBase64, 'base64')]);
}

function isHeaders(value: unknown): value is Record<string, string> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

export function decodeEnvelope(bytes: Buffer, where: string): StoredResponse {
  const end = bytes.indexOf(NEWLINE);
  let head: unknown;
  try {
    head = end < 0 ? undefined : JSON.parse(bytes.subarray(0, end).toString('utf8'));
  } catch {
    head = undefined;
  }
  const { status, headers } = (head ?? {}) as { status?: unknown; headers?: unknown };
  if (typeof status !== 'number' || !Number.isInteger(status) || !isHeaders(headers)) {
    throw new StoreUnavailableError(`PostgreSQL store: unreadable response envelope for ${where}`);
  }
  return { status, headers: { ...headers }, bodyBase64: bytes.subarray(end + 1).toString('base64') };
}
