// The lean wire under a load run (plain http:// targets): one net.Socket per connection, each with
// at most one request on the wire. A request is the pre-built bytes of request-bytes.ts with the key
// written in, sent with one write; the answer is read by response-parser.ts, which classifies on
// the status line and a byte-wise header scan and materializes headers and body only for requests
// that keep their answer. Compared with undici's dispatch(), nothing per request is validated,
// stringified or wrapped. Timeouts are one sweep timer for all connections, not a timer per request.
// Each response is capped at MAX_RESPONSE_BYTES (16 MiB) by the parser: an endless body or endless
// headers end the request with an error (IDEMAUDIT_BODY_LIMIT, or a malformed head) and the socket.
import { connect, type Socket } from 'node:net';
import type { Flight } from './flight.js';
import { RequestBytes } from './request-bytes.js';
import { ResponseParser, type ResponseSink } from './response-parser.js';
import { Fifo, type Transport } from './transport.js';
import type { LoadRequestTemplate } from './types.js';

export interface SocketTransportOptions {
  connections: number;
  timeoutMs: number;
  now: () => number;
}

const netError = (message: string, code: string): Error => Object.assign(new Error(message), { code });

class Connection implements ResponseSink {
  socket: Socket | undefined;
  connected = false;
  flight: Flight | undefined;
  /** When the current request was handed to this connection, or its last bytes arrived (timeouts). */
  activeAt = 0;
  readonly parser = new ResponseParser();
  #scratch: Buffer = Buffer.allocUnsafe(4096);
  /** Bytes written but maybe not flushed: the scratch buffer may still be referenced by the socket. */
  #queued: Buffer | undefined;

  constructor(private readonly t: SocketTransport) {}

  send(f: Flight): void {
    this.flight = f;
    this.activeAt = this.t.now();
    this.parser.expect(this, f.keep, this.t.isHead);
    if (!this.socket) this.#open();
    const bytes = this.t.bytes;
    const size = bytes.size(f.key, f.requestBody);
    // The scratch buffer is reused only when the socket no longer holds the previous request.
    if (size > this.#scratch.length || (this.socket!.writableLength > 0 && this.#queued === this.#scratch)) {
      this.#scratch = Buffer.allocUnsafe(Math.max(size, this.#scratch.length));
    }
    const n = bytes.write(this.#scratch, f.key, f.requestBody);
    this.#queued = this.#scratch;
    this.socket!.write(this.#scratch.subarray(0, n));
  }

  #open(): void {
    const s = connect({ host: this.t.host, port: this.t.port, noDelay: true });
    this.socket = s;
    this.connected = false;
    s.on('connect', () => {
      this.connected = true;
    });
    s.on('data', (chunk: Buffer) => {
      if (this.socket !== s) return;
      this.activeAt = this.t.now();
      if (this.flight) this.parser.feed(chunk);
      else this.#drop(s); // bytes nobody asked for: this connection is out of step
    });
    s.on('error', (err: Error) => {
      if (this.socket === s) this.#lost(err);
    });
    s.on('close', () => {
      if (this.socket !== s) return;
      if (this.flight && this.parser.eof()) return;
      this.#lost(netError('other side closed', 'UND_ERR_SOCKET'));
    });
  }

  /** The socket failed or closed: the request on it (if any) fails; the next one opens a new socket. */
  #lost(err: Error): void {
    const s = this.socket;
    this.socket = undefined;
    s?.destroy();
    const f = this.flight;
    this.flight = undefined;
    if (f) f.onError(err);
  }

  #drop(s: Socket): void {
    this.socket = undefined;
    s.destroy();
  }

  fail(reason: string, code?: string): void {
    // Its own code, so the run's error table says what the target sent ("malformed response: response
    // head too large", "response over 16777216 bytes") rather than blaming a closed socket.
    this.#lost(netError(code === undefined ? `malformed response: ${reason}` : reason, code ?? 'IDEMAUDIT_MALFORMED_RESPONSE'));
  }

  timeout(): void {
    const headDone = this.parser.headDone;
    this.#lost(
      this.connected
        ? netError(headDone ? 'response body stalled' : 'no response headers', headDone ? 'UND_ERR_BODY_TIMEOUT' : 'UND_ERR_HEADERS_TIMEOUT')
        : netError('connect timed out', 'UND_ERR_CONNECT_TIMEOUT'),
    );
  }

  head(status: number, marked: boolean, rawHeaders: Buffer[] | undefined): void {
    this.flight!.onResponseHead(status, marked, rawHeaders);
  }

  data(chunk: Buffer): void {
    this.flight!.onData(chunk);
  }

  end(close: boolean): void {
    const f = this.flight!;
    this.flight = undefined;
    if (close && this.socket) this.#drop(this.socket);
    f.onComplete();
  }

  destroy(): void {
    this.#lost(netError('load run ended before this request got an answer', 'UND_ERR_DESTROYED'));
  }

  close(): void {
    const s = this.socket;
    this.socket = undefined;
    s?.end();
    s?.destroy();
  }
}

export class SocketTransport implements Transport {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly bytes: RequestBytes;
  readonly isHead: boolean;
  readonly now: () => number;
  readonly #t: LoadRequestTemplate;
  readonly #quoted: boolean;
  readonly #conns: Connection[];
  readonly #idle: Connection[];
  readonly #waiting = new Fifo<Flight>();
  readonly #timeoutMs: number;
  readonly #sweep: NodeJS.Timeout;
  #closed = false;

  constructor(template: LoadRequestTemplate, opts: SocketTransportOptions) {
    const origin = new URL(template.origin);
    if (origin.protocol !== 'http:') throw new RangeError(`the socket transport speaks plain http only, not ${origin.protocol}`);
    this.#t = template;
    this.#quoted = template.keyFormat === 'sf-string';
    this.url = `${template.origin}${template.path}`;
    this.host = origin.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(origin.port || 80);
    this.bytes = new RequestBytes(template, origin.host);
    this.isHead = template.method.toUpperCase() === 'HEAD';
    this.now = opts.now;
    this.#timeoutMs = opts.timeoutMs;
    this.#conns = Array.from({ length: opts.connections }, () => new Connection(this));
    // Popped from the end: the first connections are reused first, so a light load keeps few sockets busy.
    this.#idle = [...this.#conns].reverse();
    // One timer for every request's timeout: a request whose connection saw no bytes for timeoutMs fails.
    this.#sweep = setInterval(() => this.#checkTimeouts(), Math.max(10, Math.min(250, opts.timeoutMs / 4)));
    this.#sweep.unref();
  }

  #checkTimeouts(): void {
    const now = this.now();
    for (const c of this.#conns) {
      if (c.flight && now - c.activeAt >= this.#timeoutMs) c.timeout();
    }
  }

  send(f: Flight): void {
    if (this.#closed) {
      f.onError(netError('transport closed', 'UND_ERR_DESTROYED'));
      return;
    }
    const c = this.#idle.pop();
    if (c) this.#dispatch(c, f);
    else this.#waiting.push(f);
  }

  #dispatch(c: Connection, f: Flight): void {
    f.conn = c;
    c.send(f);
  }

  done(f: Flight): void {
    const c = f.conn as Connection | undefined;
    if (!c) return;
    f.conn = undefined;
    if (this.#closed) return;
    // A refused or reset connection fails at once; hand it new work on the next turn, not inside the failure.
    if (f.error) setImmediate(() => this.#release(c));
    else this.#release(c);
  }

  #release(c: Connection): void {
    if (this.#closed) return;
    const next = this.#waiting.shift();
    if (next) {
      // Service time starts when the request leaves; its wait for a connection stays in the latency from its intended start.
      next.sentAt = this.now();
      this.#dispatch(c, next);
    } else {
      this.#idle.push(c);
    }
  }

  requestHeaders(f: Flight): Record<string, string> {
    const out: Record<string, string> = {};
    const h = this.#t.headers;
    for (let i = 0; i + 1 < h.length; i += 2) out[h[i]!] = h[i + 1]!;
    if (this.#t.keyHeader !== null) out[this.#t.keyHeader] = this.#quoted ? `"${f.key}"` : f.key;
    return out;
  }

  #failWaiting(): void {
    for (let f = this.#waiting.shift(); f; f = this.#waiting.shift()) {
      f.onError(netError('load run ended before this request got a connection', 'UND_ERR_DESTROYED'));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    this.#failWaiting();
    for (const c of this.#conns) {
      if (c.flight) c.destroy();
      else c.close();
    }
  }

  async destroy(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    this.#failWaiting();
    for (const c of this.#conns) {
      if (c.flight) c.destroy();
      else c.close();
    }
  }
}
