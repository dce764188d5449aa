// node:http adapter: wraps a plain (req, res) handler. The body is buffered first (it is part of the
// fingerprint) and handed to the handler, which writes its response as usual.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAbandoned } from '../layer/abandoned.js';
import { problems } from '../layer/problem.js';
import type { IdempotencyLayer, LayerRequest, ResponseEnvelope } from '../layer/types.js';
import { captureResponse, writeEnvelope, type ResponseCapture } from './capture-response.js';
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
        res.setHeader('connection', 'close');
        writeEnvelope(res, problems.tooLarge(maxBodyBytes));
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
    };
    let capture: ResponseCapture | undefined;
    const execute = (): Promise<ResponseEnvelope> => {
      capture = captureResponse(res);
      const captured = capture;
      const done = Promise.resolve().then(() => handler(req, res, received));
      // A handler that rejects before ending the response has failed; one that returns early
      // (callback style) is still working, so keep waiting for its end().
      return Promise.race([captured.envelope, done.then(() => captured.envelope)]);
    };
    try {
      const response = await layer.handle(request, execute);
      capture?.restore();
      writeEnvelope(res, response);
    } catch (error) {
      capture?.restore();
      // An abandoned request (a simulated crash) vanishes without an answer; anything else is a bug
      // (a throwing tenantOf, say) and still gets a proper 500.
      if (isAbandoned(error)) res.destroy();
      else writeEnvelope(res, problems.handlerFailed());
    }
  }

  return (req, res) => {
    void serve(req, res);
  };
}
