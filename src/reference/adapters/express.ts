// Express middleware (4 or 5). Works before or after a body parser:
// - after express.json()/raw()/text(): the fingerprint uses req.rawBody if a `verify` hook kept it,
//   else the parsed body (Buffer, string, or JSON re-serialised);
// - before any parser: it buffers the body itself and sets req.rawBody, and req.body to the parsed
//   JSON for JSON content types (the raw Buffer otherwise); parsers placed after it then see a
//   finished stream and skip.
// Express is never imported: structural types keep it a dev-only dependency.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdempotencyLayer, LayerRequest, ResponseEnvelope } from '../layer/types.js';
import { captureResponse, writeCaptured, writeEnvelope, type ResponseCapture } from './capture-response.js';
import { isAbandoned } from '../layer/abandoned.js';
import { BodyTooLargeError, readBody } from './read-body.js';

export interface ExpressLikeRequest extends IncomingMessage {
  body?: unknown;
  rawBody?: Buffer;
  originalUrl?: string;
  /** Set by Express when the middleware runs as part of a route (app.post('/payments', idempotency, handler)). */
  route?: { path?: unknown };
}

export type ExpressNext = (error?: unknown) => void;
export type ExpressMiddleware = (req: ExpressLikeRequest, res: ServerResponse, next: ExpressNext) => void;

function isJsonContentType(req: IncomingMessage): boolean {
  const type = req.headers['content-type'] ?? '';
  return /^application\/([\w.-]+\+)?json\b/i.test(type);
}

/** Bytes of a body some parser already consumed. */
export function bytesOfParsedBody(req: ExpressLikeRequest): Buffer {
  if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
  const body = req.body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(JSON.stringify(body));
}

async function bodyBytes(req: ExpressLikeRequest, maxBodyBytes: number): Promise<Buffer> {
  if (req.readableEnded) return bytesOfParsedBody(req);
  const { body } = await readBody(req, maxBodyBytes);
  req.rawBody = body;
  if (isJsonContentType(req) && body.length > 0) {
    try {
      req.body = JSON.parse(body.toString('utf8'));
    } catch {
      req.body = body;
    }
  } else {
    req.body = body;
  }
  return body;
}

export function expressIdempotency(layer: IdempotencyLayer): ExpressMiddleware {
  const maxBodyBytes = layer.settings.maxBodyBytes;

  async function run(req: ExpressLikeRequest, res: ServerResponse, next: ExpressNext): Promise<void> {
    let body: Buffer;
    try {
      body = await bodyBytes(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return writeEnvelope(res, layer.problems.tooLarge(maxBodyBytes));
      return next(error);
    }
    const request: LayerRequest = {
      method: req.method ?? 'GET',
      path: req.originalUrl ?? req.url ?? '/',
      headers: req.headers,
      body,
      native: req,
    };
    const routePath = req.route?.path;
    if (typeof routePath === 'string') request.route = routePath;
    let capture: ResponseCapture | undefined;
    const execute = (): Promise<ResponseEnvelope> => {
      capture = captureResponse(res);
      // Errors downstream go to Express's error handlers, whose answer is captured like any other.
      next();
      return capture.envelope;
    };
    try {
      const response = await layer.handle(request, execute);
      if (capture === undefined) {
        writeEnvelope(res, response);
      } else {
        capture.restore();
        // The handler's own answer goes out as it set it; a replay or a problem replaces it.
        writeCaptured(res, capture, response);
      }
    } catch (error) {
      capture?.restore();
      // An abandoned request (a simulated crash) vanishes without an answer; anything else is a bug
      // (a throwing tenantOf, say) and still gets a proper 500.
      if (isAbandoned(error)) res.destroy();
      else writeEnvelope(res, layer.problems.handlerFailed());
    }
  }

  return (req, res, next) => {
    void run(req, res, next);
  };
}
