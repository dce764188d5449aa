// The per-request toolbox a fault works with. It holds only references and a couple of flags, so
// the proxy's own state per request is O(1); anything buffered is bounded by maxBufferBytes.
import { InternalError } from '../core/errors.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { filterResponseHeaders } from './headers.js';
import { UpstreamClient } from './upstream.js';
import type { FaultContext, FaultEventDetail, UpstreamResponse } from './types.js';

/** A failure the proxy answers with its own status (instead of the default 502). */
export class ProxyAnswerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Cancellable waits, so close() can end every latency and stall at once. */
export interface WaitRegistry {
  readonly closed: boolean;
  add(cancel: () => void): void;
  delete(cancel: () => void): void;
}

export interface ContextDeps {
  upstream: UpstreamClient;
  waits: WaitRegistry;
  rng: { next(): number };
  maxBufferBytes: number;
  emit: (detail?: FaultEventDetail) => void;
  /** Called when an upstream answer's headers arrived (its status). */
  onUpstreamAnswer?: (status: number) => void;
}

/**
 * Reads a stream into memory, refusing more than `limit` bytes. The request stream is left open on
 * overflow (destroying it would kill the socket the refusal must be sent on); a response is destroyed.
 */
async function readAll(stream: Readable, limit: number, what: string, status: number, keepOpen: boolean): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream.iterator({ destroyOnReturn: !keepOpen })) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ProxyAnswerError(status, `${what} is over the proxy's ${limit}-byte buffer limit`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

export function createFaultContext(req: IncomingMessage, res: ServerResponse, deps: ContextDeps): FaultContext {
  let bodyRead: Promise<Buffer> | undefined;
  let streamed = false;
  // Captured now: node:http detaches req.socket once the request body has been consumed.
  const socket = req.socket;

  const ctx: FaultContext = {
    req,
    res,
    rng: deps.rng,
    maxBufferBytes: deps.maxBufferBytes,
    emit: deps.emit,

    readBody() {
      if (streamed) throw new InternalError('the request body was already streamed upstream');
      bodyRead ??= readAll(req, deps.maxBufferBytes, 'the request body', 413, true);
      return bodyRead;
    },

    async sendUpstream(body) {
      const answered = (r: UpstreamResponse): UpstreamResponse => {
        deps.onUpstreamAnswer?.(r.status);
        return r;
      };
      if (body !== undefined) return answered(await deps.upstream.send(req, body));
      if (bodyRead) return answered(await deps.upstream.send(req, await bodyRead));
      // A stream can be read once; faults that send twice buffer with readBody() first.
      if (streamed) throw new InternalError('the request body was already streamed upstream; use readBody() to send it twice');
      streamed = true;
      return answered(await deps.upstream.send(req, UpstreamClient.streamBodyOf(req)));
    },

    async drain(response) {
      for await (const _chunk of response.body) {
        // Discarded: only the upstream having finished matters.
      }
    },

    collect(response) {
      return readAll(response.body, deps.maxBufferBytes, 'the upstream response body', 502, false);
    },

    async pipe(response: UpstreamResponse) {
      res.writeHead(response.status, filterResponseHeaders(response.headers));
      try {
        await pipeline(response.body, res);
      } catch {
        // The client left, or the upstream broke off mid-body: pipeline destroyed both sides, and
        // a cut connection is the faithful way to pass a broken body on.
        res.destroy();
      }
    },

    async forward() {
      await ctx.pipe(await ctx.sendUpstream());
    },

    wait(ms, options = {}) {
      return new Promise<boolean>((resolve) => {
        if (deps.waits.closed) return resolve(false);
        const finish = (elapsed: boolean): void => {
          clearTimeout(timer);
          deps.waits.delete(cancel);
          res.off('close', cancel);
          resolve(elapsed);
        };
        const cancel = (): void => finish(false);
        const timer = setTimeout(() => finish(true), ms);
        deps.waits.add(cancel);
        if (options.untilClientGone) res.once('close', cancel);
      });
    },

    reset() {
      // A real RST (not a FIN), as when a gateway or the network drops the connection.
      if (!socket.destroyed) socket.resetAndDestroy();
    },

    hangUp() {
      // FIN once whatever was written is flushed (truncate-body relies on the bytes going first).
      if (!socket.destroyed) socket.destroySoon();
    },
  };
  return ctx;
}
