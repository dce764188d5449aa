// node:http adapter: wraps a plain (req, res) handler. The body is buffered first (it is part of the
// fingerprint) and handed to the handler, which writes its response as usual.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAbandoned } from '../layer/abandoned.js';
import type { IdempotencyLayer, LayerRequest, ResponseEnvelope } from '../layer/types.js';
import { captureResponse, writeCaptured, writeEnvelope, type ResponseCapture } from './capture-response.js';
import { BodyTooLargeError, readBody } from './read-body.js';

export interface NodeRequestContext {
  /** The whole request body (the stream itself is already consumed). */
  body: Buffer;
  /** Epoch ms (sub-ms precision) at which the body's last byte arrived. */
  receivedAt: number;
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse, ctx: NodeRequestContext) => unknown;

export function wrapNodeHandler(layer: IdempotencyLayer, handler: NodeHandler): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBodyBytes = layer.settings.maxBodyBytes;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let received;
    try {
      received = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        // HTTP/2 has no connection header (and refuses one); HTTP/1.1 closes so the rest is not read.
        if (req.httpVersionMajor < 2) res.setHeader('connection', 'close');
        writeEnvelope(res, layer.problems.tooLarge(maxBodyBytes));
      } else {
        res.destroy();
      }
      return;
    }
    const request: LayerRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: received.body,
      native: req,
    };
    let capture: ResponseCapture | undefined;
    const execute = (): Promise<ResponseEnvelope> => {
      const captured = captureResponse(res);
      capture = captured;
      return new Promise<ResponseEnvelope>((resolve, reject) => {
        // The first to happen decides: the handler ends its response (resolve), or it throws or
        // rejects before that (reject). One that returns early (callback style) is still working,
        // so keep waiting for its end().
        void captured.envelope.then(resolve);
        const failed = (error: unknown): void => {
          if (captured.captured === undefined) reject(error);
        };
        try {
          const result = handler(req, res, received) as PromiseLike<unknown> | undefined;
          if (result !== null && typeof result === 'object' && typeof result.then === 'function') result.then(undefined, failed);
        } catch (error) {
          failed(error);
        }
      });
    };
    try {
      const response = await layer.handle(request, execute);
      if (capture) {
        capture.restore();
        // Outcome new (or unprotected): the layer hands back the very envelope that was captured,
        // whose headers are still set on `res`; anything else replaces them.
        writeCaptured(res, capture, response);
      } else {
        writeEnvelope(res, response);
      }
    } catch (error) {
      capture?.restore();
      // An abandoned request (a simulated crash) vanishes without an answer; anything else is a bug
      // (a throwing tenantOf, say) and still gets a proper 500.
      if (isAbandoned(error)) res.destroy();
      else writeEnvelope(res, layer.problems.handlerFailed());
    }
  }

  return (req, res) => {
    void serve(req, res);
  };
}
