// Fastify (v4/v5) plugin built on two hooks: preHandler asks the layer and either answers at once
// (replay, 409, 422, ...) or lets the route run; onSend hands the route's answer to the layer and
// waits until it is recorded before it goes out. Fastify parses bodies before preHandler, so the
// fingerprint uses the parsed body (Buffer and string as-is, anything else JSON re-serialised).
// Fastify is never imported: structural types keep it a dev-only dependency.
import type { Readable } from 'node:stream';
import { normaliseHeaders } from '../layer/envelope.js';
import type { IdempotencyLayer, LayerRequest, RequestHeaders, ResponseEnvelope } from '../layer/types.js';

export interface FastifyLikeRequest {
  method: string;
  url: string;
  headers: RequestHeaders;
  body?: unknown;
  /** Fastify 5: the route's options, `url` being its pattern (e.g. /payments/:id). */
  routeOptions?: { url?: string };
}

export interface FastifyLikeReply {
  statusCode: number;
  code(status: number): FastifyLikeReply;
  header(name: string, value: unknown): FastifyLikeReply;
  getHeaders(): Record<string, string | string[] | number | undefined>;
  removeHeader(name: string): FastifyLikeReply;
  send(payload?: unknown): FastifyLikeReply;
}

export interface FastifyLikeInstance {
  addHook(name: 'preHandler', hook: (request: FastifyLikeRequest, reply: FastifyLikeReply) => Promise<unknown>): unknown;
  addHook(name: 'onSend', hook: (request: FastifyLikeRequest, reply: FastifyLikeReply, payload: unknown) => Promise<unknown>): unknown;
}

export type FastifyIdempotencyPlugin = ((instance: FastifyLikeInstance, options: unknown) => Promise<void>) & {
  [key: symbol]: unknown;
};

interface Pending {
  /** Resolves the layer's execute() with the route's answer. */
  deliver(envelope: ResponseEnvelope): void;
  final: Promise<ResponseEnvelope>;
}

function bodyBytes(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(JSON.stringify(body));
}

function isReadable(value: unknown): value is Readable {
  return typeof value === 'object' && value !== null && typeof (value as Readable).pipe === 'function';
}

async function payloadBytes(payload: unknown): Promise<Buffer> {
  if (isReadable(payload)) {
    const chunks: Buffer[] = [];
    for await (const chunk of payload) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    return Buffer.concat(chunks);
  }
  return bodyBytes(payload);
}

function replaceHeaders(reply: FastifyLikeReply, headers: ResponseEnvelope['headers']): void {
  for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
}

export function fastifyIdempotency(layer: IdempotencyLayer): FastifyIdempotencyPlugin {
  const pending = new WeakMap<FastifyLikeRequest, Pending>();
  /** Requests the layer answered itself: their onSend must pass through untouched. */
  const answered = new WeakSet<FastifyLikeRequest>();

  const plugin = async (instance: FastifyLikeInstance): Promise<void> => {
    instance.addHook('preHandler', async (request, reply) => {
      const layerRequest: LayerRequest = {
        method: request.method,
        path: request.url,
        headers: request.headers,
        body: bodyBytes(request.body),
        native: request,
      };
      const routeUrl = request.routeOptions?.url;
      if (typeof routeUrl === 'string') layerRequest.route = routeUrl;
      let deliver!: (envelope: ResponseEnvelope) => void;
      const routeAnswer = new Promise<ResponseEnvelope>((resolve) => {
        deliver = resolve;
      });
      let routeMayRun!: () => void;
      const executeCalled = new Promise<'execute'>((resolve) => {
        routeMayRun = () => resolve('execute');
      });
      const final = layer.handle(layerRequest, () => {
        routeMayRun();
        return routeAnswer;
      });
      pending.set(request, { deliver, final });
      const first = await Promise.race([executeCalled, final.then(() => 'answered' as const)]);
      if (first === 'execute') return;
      const response = await final;
      pending.delete(request);
      answered.add(request);
      reply.code(response.status);
      replaceHeaders(reply, response.headers);
      return reply.send(response.body);
    });

    instance.addHook('onSend', async (request, reply, payload) => {
      const entry = pending.get(request);
      if (!entry || answered.has(request)) return payload;
      pending.delete(request);
      const envelope: ResponseEnvelope = {
        status: reply.statusCode,
        headers: normaliseHeaders(reply.getHeaders()),
        body: await payloadBytes(payload),
      };
      entry.deliver(envelope);
      const response = await entry.final;
      if (response !== envelope) {
        // The layer answered something else (a handler failure became a 500 problem, for instance).
        reply.code(response.status);
        replaceHeaders(reply, response.headers);
      }
      return response.body;
    });
  };

  // What fastify-plugin does: no encapsulation, so the hooks apply to the routes of the parent.
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'idemaudit-idempotency',
  });
}
