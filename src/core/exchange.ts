// An exchange is one request and what came back. Checks judge full exchanges in memory; reports
// only ever see ExchangeRecords, which are redacted and bounded when they are made.
import { createHash } from 'node:crypto';

export interface OutgoingRequest {
  method: string;
  /** Absolute URL. */
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface IncomingResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", " (set-cookie with "\n"). */
  headers: Record<string, string>;
  /** The body, or its first maxBodyBytes when `truncated` is set. */
  body: Buffer;
  /** Set when the body was larger than the cap: its real size and the hash of all of it. */
  truncated?: { bytes: number; sha256: string };
}

export interface Exchange {
  seq: number;
  /** The request's role inside its check, e.g. "original", "replay", "copy 2/8". */
  label: string;
  endpoint: string;
  tenant?: string;
  /** Raw key value (unquoted), absent when the request carried none. */
  key?: string;
  request: OutgoingRequest;
  response?: IncomingResponse;
  /** Set when no response arrived: "ECONNREFUSED", "timeout after 5000 ms", ... */
  error?: string;
  /** Milliseconds since the run started. */
  startedAt: number;
  durationMs: number;
}

export interface ExchangeRecord {
  seq: number;
  label: string;
  endpoint: string;
  tenant?: string;
  key?: string;
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: { status: number; headers: Record<string, string>; body: string; bodyBytes: number; bodySha256: string };
  error?: string;
  startedAt: number;
  durationMs: number;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Collects a response body without ever holding more than `cap` bytes: the rest is only hashed,
 * so a huge or endless answer cannot exhaust memory.
 */
export class CappedBody {
  readonly #chunks: Buffer[] = [];
  readonly #hash = createHash('sha256');
  #kept = 0;
  #total = 0;

  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    this.#hash.update(chunk);
    if (this.#kept < this.cap) {
      const part = chunk.subarray(0, this.cap - this.#kept);
      this.#chunks.push(part);
      this.#kept += part.length;
    }
  }

  finish(): Pick<IncomingResponse, 'body' | 'truncated'> {
    const body = Buffer.concat(this.#chunks, this.#kept);
    const digest = this.#hash.digest('hex');
    return this.#total > this.cap ? { body, truncated: { bytes: this.#total, sha256: digest } } : { body };
  }
}

export const isSuccess = (e: Exchange): boolean => !!e.response && e.response.status >= 200 && e.response.status < 300;

export const statusOf = (e: Exchange): string => (e.response ? String(e.response.status) : (e.error ?? 'no response'));

/** Parse a JSON body, or undefined when it is not JSON. */
export function jsonBody(e: Exchange): unknown {
  if (!e.response || e.response.body.length === 0) return undefined;
  try {
    return JSON.parse(e.response.body.toString('utf8'));
  } catch {
    return undefined;
  }
}
