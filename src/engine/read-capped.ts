// The one way the CLI reads an HTTP response body: at most `keep` bytes are held, the rest is only
// hashed, and past `stopAfter` bytes reading stops and the stream is destroyed. A target streaming
// an endless body can cost time up to the request's timeout, never memory.
import type { Readable } from 'node:stream';
import { CappedBody, type IncomingResponse } from '../core/exchange.js';

/** Bytes kept from the answer of an auxiliary call (health, ledger, admin): small JSON documents. */
export const AUX_BODY_BYTES = 65_536;

export interface CappedRead {
  body: Buffer;
  /** Bytes received (when `stopped`, the body was longer). */
  bytes: number;
  /** More than `keep` bytes arrived: `body` is a prefix. */
  truncated: boolean;
  /** More than `stopAfter` bytes arrived: reading stopped and the connection was dropped. */
  stopped: boolean;
}

/** Push-style reader for event streams (node:http responses); `push` answers false once reading must stop. */
export class CappedReader {
  readonly #body: CappedBody;
  readonly #stopAfter: number;
  #bytes = 0;
  #stopped = false;

  constructor(keep: number, stopAfter = Number.POSITIVE_INFINITY) {
    this.#body = new CappedBody(keep);
    this.#stopAfter = Math.max(keep, stopAfter);
  }

  push(chunk: Buffer): boolean {
    if (this.#stopped) return false;
    this.#bytes += chunk.length;
    this.#body.push(chunk);
    if (this.#bytes > this.#stopAfter) this.#stopped = true;
    return !this.#stopped;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** The body as an exchange keeps it (prefix, and the total size and hash when truncated). */
  finish(): Pick<IncomingResponse, 'body' | 'truncated'> {
    return this.#body.finish();
  }

  get bytes(): number {
    return this.#bytes;
  }
}

/** Reads `stream` with a cap; destroys it when more than `stopAfter` bytes arrive. */
export async function readCapped(
  stream: Readable | (AsyncIterable<Buffer> & { destroy?: (err?: Error) => unknown }),
  keep: number,
  stopAfter = keep,
): Promise<CappedRead> {
  const reader = new CappedReader(keep, stopAfter);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (!reader.push(chunk)) break;
  }
  // Leaving the loop early (break) destroys an async-iterated stream; an explicit destroy covers the rest.
  if (reader.stopped) (stream as { destroy?: () => unknown }).destroy?.();
  const { body, truncated } = reader.finish();
  return { body, bytes: reader.bytes, truncated: truncated !== undefined, stopped: reader.stopped };
}

/** JSON of a small auxiliary answer, or undefined (not JSON, or longer than AUX_BODY_BYTES). */
export async function readSmallJson(stream: Readable | AsyncIterable<Buffer>): Promise<unknown> {
  const read = await readCapped(stream, AUX_BODY_BYTES);
  if (read.truncated || read.body.length === 0) return undefined;
  try {
    return JSON.parse(read.body.toString('utf8'));
  } catch {
    return undefined;
  }
}
