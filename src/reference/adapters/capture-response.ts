// Lets a node:http (or Express) handler write its response as usual while the adapter keeps it:
// writeHead/write/end/flushHeaders are intercepted, so the layer can store the envelope before the
// client sees anything.
//
// Three ways to intercept, cheapest first:
// - CapturingServerResponse, a ServerResponse subclass for createServer({ ServerResponse }): its
//   methods buffer while a capture is active and are the real ones otherwise. No per-request
//   property patching, so every response object keeps the same shape (startReferenceServer uses it).
// - A framework's response prototype (Express gives every app one, `app.response`, inheriting its
//   shared base `res`, above ServerResponse.prototype): the same switching methods are installed
//   once on the deepest of these (see switchingPrototype for why), the first time one of its
//   responses is captured. Never on ServerResponse.prototype itself, which belongs to every server
//   in the process.
// - Otherwise, or when something (compression middleware, say) has already patched the methods on
//   the response object itself: the methods are set on that one object and restore() removes them
//   again (in reverse order, which keeps V8's fast properties). Patching the object keeps such a
//   wrapper out of the captured bytes, as before: it wraps the answer once, when it is written.
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { ResponseEnvelope } from '../layer/types.js';

const INTERCEPTED = ['writeHead', 'write', 'end', 'flushHeaders'] as const;
const NONE: readonly string[] = [];

export interface ResponseCapture {
  /** Resolves when the handler ends its response. */
  readonly envelope: Promise<ResponseEnvelope>;
  /**
   * The envelope once the handler has ended its response (the object `envelope` resolves to), so an
   * adapter can tell the layer answered with exactly what was captured; undefined before that.
   */
  readonly captured: ResponseEnvelope | undefined;
  restore(): void;
}

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

/**
 * The response's headers as an envelope holds them. node:http keys getHeaders() by lower-cased name
 * already, so this only drops undefined values and turns numbers into strings (as normaliseHeaders).
 */
function capturedHeaders(res: ServerResponse): Record<string, string | string[]> {
  const raw = res.getHeaders();
  const out: Record<string, string | string[]> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined) continue;
    out[name] = typeof value === 'number' ? String(value) : value;
  }
  return out;
}

const callLater = (cb: unknown): void => {
  if (typeof cb === 'function') process.nextTick(cb);
};

/** The buffering stand-ins for one response while it is captured. */
class Capture implements ResponseCapture {
  readonly envelope: Promise<ResponseEnvelope>;
  captured: ResponseEnvelope | undefined = undefined;
  readonly #res: ServerResponse;
  readonly #chunks: Buffer[] = [];
  readonly #detach: (capture: Capture) => void;
  #resolve!: (envelope: ResponseEnvelope) => void;

  constructor(res: ServerResponse, detach: (capture: Capture) => void) {
    this.#res = res;
    this.#detach = detach;
    this.envelope = new Promise<ResponseEnvelope>((resolve) => {
      this.#resolve = resolve;
    });
  }

  restore(): void {
    this.#detach(this);
  }

  writeHead(status: number, reasonOrHeaders?: unknown, headers?: unknown): ServerResponse {
    this.#res.statusCode = status;
    applyHeaders(this.#res, typeof reasonOrHeaders === 'string' ? headers : reasonOrHeaders);
    return this.#res;
  }

  write(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    if (this.captured === undefined && chunk !== undefined && chunk !== null) this.#chunks.push(toBuffer(chunk, encoding));
    callLater(typeof encoding === 'function' ? encoding : cb);
    return true;
  }

  end(chunk?: unknown, encoding?: unknown, cb?: unknown): ServerResponse {
    if (typeof chunk === 'function') return this.end(undefined, undefined, chunk);
    if (typeof encoding === 'function') return this.end(chunk, undefined, encoding);
    const res = this.#res;
    if (this.captured !== undefined) return res;
    if (chunk !== undefined && chunk !== null) this.#chunks.push(toBuffer(chunk, encoding));
    const chunks = this.#chunks;
    const envelope: ResponseEnvelope = {
      status: res.statusCode,
      headers: capturedHeaders(res),
      body: Buffer.concat(chunks),
    };
    this.captured = envelope;
    this.#resolve(envelope);
    callLater(cb);
    return res;
  }

  flushHeaders(): void {}
}

const kCapture = Symbol('idemaudit.capture');
/** Set (own property) on a prototype that already carries the switching methods. */
const kSwitching = Symbol('idemaudit.capture.switching');

type Switchable = ServerResponse & { [kCapture]?: Capture | undefined };

/** Installs methods that buffer into `this[kCapture]` while a capture is active, else call the originals. */
function installSwitching(proto: Record<PropertyKey, unknown>): void {
  // The originals as the prototype resolves them now (its own, or inherited from ServerResponse).
  const writeHead = proto.writeHead as (...args: unknown[]) => unknown;
  const write = proto.write as (...args: unknown[]) => unknown;
  const end = proto.end as (...args: unknown[]) => unknown;
  const flushHeaders = proto.flushHeaders as (...args: unknown[]) => unknown;
  proto.writeHead = function (this: Switchable, ...args: unknown[]) {
    const capture = this[kCapture];
    return capture ? capture.writeHead(args[0] as number, args[1], args[2]) : writeHead.apply(this, args);
  };
  proto.write = function (this: Switchable, ...args: unknown[]) {
    const capture = this[kCapture];
    return capture ? capture.write(args[0], args[1], args[2]) : write.apply(this, args);
  };
  proto.end = function (this: Switchable, ...args: unknown[]) {
    const capture = this[kCapture];
    return capture ? capture.end(args[0], args[1], args[2]) : end.apply(this, args);
  };
  proto.flushHeaders = function (this: Switchable) {
    const capture = this[kCapture];
    return capture ? capture.flushHeaders() : flushHeaders.call(this);
  };
  Object.defineProperty(proto, kSwitching, { value: true });
}

/**
 * A ServerResponse that can buffer its own answer: pass it to createServer({ ServerResponse:
 * CapturingServerResponse }) and captureResponse() intercepts without patching each response.
 */
export class CapturingServerResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  [kCapture]: Capture | undefined = undefined;
}

installSwitching(CapturingServerResponse.prototype as unknown as Record<PropertyKey, unknown>);

/** True when the response object itself overrides none of the intercepted methods. */
function unpatched(res: ServerResponse): boolean {
  return !Object.hasOwn(res, 'writeHead') && !Object.hasOwn(res, 'write') && !Object.hasOwn(res, 'end') && !Object.hasOwn(res, 'flushHeaders');
}

/**
 * The response's framework prototype, switching methods installed, when it can take them; else
 * undefined. The methods go on the DEEPEST prototype above ServerResponse.prototype (Express: its
 * shared base `res`, which every app's `app.response` inherits), not on the app's own: a framework
 * may switch the response's prototype while the capture is active (Express does when the handler
 * is another, unmounted Express app, as vhost() calls it), and the answer would then bypass
 * methods installed on the first app's prototype and go out uncaptured, the key left in progress.
 * When a prototype on the way overrides an intercepted method, the object is patched instead.
 */
function switchingPrototype(res: ServerResponse): Record<PropertyKey, unknown> | undefined {
  if (!unpatched(res)) return undefined;
  let proto = Object.getPrototypeOf(res) as Record<PropertyKey, unknown> | null;
  if (proto === null || (proto as object) === ServerResponse.prototype || !(proto instanceof ServerResponse)) return undefined;
  for (;;) {
    const next = Object.getPrototypeOf(proto) as Record<PropertyKey, unknown> | null;
    if (next === null) return undefined;
    if ((next as object) === ServerResponse.prototype) break;
    if (INTERCEPTED.some((name) => Object.hasOwn(proto!, name)) && !Object.hasOwn(proto, kSwitching)) return undefined;
    proto = next;
  }
  if (!Object.hasOwn(proto, kSwitching)) installSwitching(proto);
  return proto;
}

/** Capture through methods that read the capture from the response object (a fixed slot, same shape every time). */
function captureBySlot(res: Switchable): ResponseCapture {
  // Own methods present before the capture (none on the prototype path, which requires an unpatched
  // object: no array per request there).
  const own: readonly string[] = unpatched(res) ? NONE : INTERCEPTED.filter((name) => Object.hasOwn(res, name));
  const capture = new Capture(res, (c) => {
    if (res[kCapture] !== c) return;
    res[kCapture] = undefined;
    // A middleware after the layer (compression, say) that patched the object during the capture has
    // already shaped the captured bytes; its wrapper must not run again on the answer the layer
    // writes (compression's end, once ended, silently drops it and the client never gets an answer).
    // Removed, as the per-object patching's restore() removes them.
    const target = res as unknown as Record<string, unknown>;
    for (let i = INTERCEPTED.length - 1; i >= 0; i -= 1) {
      const name = INTERCEPTED[i]!;
      if (Object.hasOwn(res, name) && !own.includes(name)) delete target[name];
    }
  });
  res[kCapture] = capture;
  return capture;
}

export function captureResponse(res: ServerResponse): ResponseCapture {
  if (res instanceof CapturingServerResponse || switchingPrototype(res) !== undefined) return captureBySlot(res);

  const saved = INTERCEPTED.map((name) => [name, Object.getOwnPropertyDescriptor(res, name)] as const);
  const target = res as unknown as Record<string, unknown>;
  let restored = false;
  const capture = new Capture(res, () => {
    if (restored) return;
    restored = true;
    // Reverse order: deleting the most recently added property keeps the object's fast shape.
    for (let i = saved.length - 1; i >= 0; i -= 1) {
      const [name, descriptor] = saved[i]!;
      if (descriptor) Object.defineProperty(res, name, descriptor);
      else delete target[name];
    }
  });
  target.writeHead = (status: number, reasonOrHeaders?: unknown, headers?: unknown) => capture.writeHead(status, reasonOrHeaders, headers);
  target.write = (chunk: unknown, encoding?: unknown, cb?: unknown) => capture.write(chunk, encoding, cb);
  target.end = (chunk?: unknown, encoding?: unknown, cb?: unknown) => capture.end(chunk, encoding, cb);
  target.flushHeaders = () => capture.flushHeaders();
  return capture;
}

/** Writes an envelope as the whole response, replacing any header the handler had set. */
export function writeEnvelope(res: ServerResponse, envelope: ResponseEnvelope): void {
  if (res.headersSent || res.destroyed) return;
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  for (const [name, value] of Object.entries(envelope.headers)) res.setHeader(name, value);
  res.statusCode = envelope.status;
  res.end(envelope.body);
}

/**
 * Sends the answer a capture holds, after restore(), when the layer answered with exactly that
 * envelope: the handler's headers are still set on `res` (the envelope's were read from them), so
 * only the status and the buffered body need writing.
 */
export function writeCaptured(res: ServerResponse, capture: ResponseCapture, envelope: ResponseEnvelope): void {
  if (capture.captured !== envelope) {
    writeEnvelope(res, envelope);
    return;
  }
  if (res.headersSent || res.destroyed) return;
  res.statusCode = envelope.status;
  res.end(envelope.body);
}
