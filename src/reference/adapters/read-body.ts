// Buffers a request body with a size limit and notes when its last byte arrived.
import type { IncomingMessage } from 'node:http';
import { preciseNow } from '../layer/clock.js';

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

export interface ReceivedBody {
  body: Buffer;
  /** Epoch milliseconds with sub-millisecond precision at which the last byte arrived. */
  receivedAt: number;
}

export function readBody(req: IncomingMessage, maxBytes: number): Promise<ReceivedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        // Keep draining so the 413 can still be written on this connection.
        req.resume();
        reject(new BodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ body: Buffer.concat(chunks, size), receivedAt: preciseNow() });
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
