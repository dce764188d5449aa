// Lets a node:http (or Express) handler write its response as usual while the adapter keeps it:
// writeHead/write/end are intercepted on that one response object, so the layer can store the
// envelope before the client sees anything. restore() puts the real methods back.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { normaliseHeaders } from '../layer/envelope.js';
import type { ResponseEnvelope } from '../layer/types.js';

const INTERCEPTED = ['writeHead', 'write', 'end', 'flushHeaders'] as const;

export interface ResponseCapture {
  /** Resolves when the handler ends its response. */
  readonly envelope: Promise<ResponseEnvelope>;
  restore(): void;
}

type Callback = (error?: Error | null) => void;

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}

function applyHeaders(res: ServerResponse, headers: unknown): void {
  if (Array.isArray(headers)) {
    // Either [[name, value], ...] or the flat raw form [name, value, name, value].
    if (headers.every((entry) => Array.isArray(entry))) {
      for (const [name, value] of headers as [string, string][]) res.setHeader(name, value);
    } else {
      for (let i = 0; i + 1 < headers.length; i += 2) res.setHeader(String(headers[i]), headers[i + 1] as string);
    }
    return;
  }
  if (headers && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) {
      if (value !== undefined) res.setHeader(name, value);
    }
  }
}

export function captureResponse(res: ServerResponse): ResponseCapture {
  const saved = INTERCEPTED.map((name) => [name, Object.getOwnPropertyDescriptor(res, name)] as const);
  const chunks: Buffer[] = [];
  let ended = false;
  let resolveEnvelope!: (envelope: ResponseEnvelope) => void;
  const envelope = new Promise<ResponseEnvelope>((resolve) => {
    resolveEnvelope = resolve;
  });
  const callLater = (cb: unknown): void => {
    if (typeof cb === 'function') process.nextTick(cb as Callback);
  };
  const target = res as unknown as Record<string, unknown>;

  target.writeHead = (status: number, ...rest: unknown[]) => {
    res.statusCode = status;
    const headers = typeof rest[0] === 'string' ? rest[1] : rest[0];
    applyHeaders(res, headers);
    return res;
  };
  target.write = (chunk: unknown, encoding?: unknown, cb?: unknown) => {
    if (!ended && chunk !== undefined && chunk !== null) chunks.push(toBuffer(chunk, encoding));
    callLater(typeof encoding === 'function' ? encoding : cb);
    return true;
  };
  const end = (chunk?: unknown, encoding?: unknown, cb?: unknown): ServerResponse => {
    if (typeof chunk === 'function') return end(undefined, undefined, chunk);
    if (typeof encoding === 'function') return end(chunk, undefined, encoding);
    if (ended) return res;
    if (chunk !== undefined && chunk !== null) chunks.push(toBuffer(chunk, encoding));
    ended = true;
    resolveEnvelope({
      status: res.statusCode,
      headers: normaliseHeaders(res.getHeaders()),
      body: Buffer.concat(chunks),
    });
    callLater(cb);
    return res;
  };
  target.end = end;
  target.flushHeaders = () => {};

  return {
    envelope,
    restore: () => {
      for (const [name, descriptor] of saved) {
        if (descriptor) Object.defineProperty(res, name, descriptor);
        else delete target[name];
      }
    },
  };
}

/** Writes an envelope as the whole response, replacing any header the handler had set. */
export function writeEnvelope(res: ServerResponse, envelope: ResponseEnvelope): void {
  if (res.headersSent || res.destroyed) return;
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  for (const [name, value] of Object.entries(envelope.headers)) res.setHeader(name, value);
  res.statusCode = envelope.status;
  res.end(envelope.body);
}
