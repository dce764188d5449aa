// The wire under a load run: undici Clients driven through dispatch() with the Flight as the
// handler, the leanest path undici offers (GUIDE section 5: dispatch() beats request() and
// autocannon). One Client per connection, each with at most one request on the wire; the
// transport hands a request to an idle connection or queues it (FIFO) until one is released. Doing
// this here rather than through undici's Pool keeps the hot path O(1) and makes the queueing
// explicit: a queued request's latency from its intended start includes its wait for a connection.
import { Client } from 'undici';
import type { Flight } from './flight.js';
import type { LoadRequestTemplate } from './types.js';

export interface Transport {
  /** Send the flight's request; the transport calls the flight's handler methods exactly once to the end. */
  send(f: Flight): void;
  /** The engine tells the transport that a flight finished (after its handler completed or failed). */
  done(f: Flight): void;
  /** Headers of a flight's request as sent (for evidence; not on the hot path). */
  requestHeaders(f: Flight): Record<string, string>;
  readonly url: string;
  /** Let in-flight requests finish, then release the sockets. */
  close(): Promise<void>;
  /** Abort everything in flight or queued (each flight gets onError) and release the sockets. */
  destroy(): Promise<void>;
}

export interface UndiciTransportOptions {
  connections: number;
  timeoutMs: number;
  /** The engine's clock: a request that waited for a connection gets its send time when it leaves. */
  now?: () => number;
}

/** Growable ring buffer: O(1) push and shift for the requests waiting for a connection. */
export class Fifo<T> {
  #buf: Array<T | undefined> = new Array<T | undefined>(64);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(x: T): void {
    if (this.#size === this.#buf.length) {
      const next = new Array<T | undefined>(this.#buf.length * 2);
      for (let i = 0; i < this.#size; i++) next[i] = this.#buf[(this.#head + i) % this.#buf.length];
      this.#buf = next;
      this.#head = 0;
    }
    this.#buf[(this.#head + this.#size) % this.#buf.length] = x;
    this.#size += 1;
  }

  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const x = this.#buf[this.#head];
    this.#buf[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#buf.length;
    this.#size -= 1;
    return x;
  }
}

export class UndiciTransport implements Transport {
  readonly #t: LoadRequestTemplate;
  readonly #quoted: boolean;
  readonly #clients: Client[];
  readonly #idle: Client[];
  readonly #waiting = new Fifo<Flight>();
  readonly url: string;
  readonly #now: (() => number) | undefined;
  readonly #headers: string[];
  readonly #keyAt: number;
  readonly #opts: { path: string; method: string; headers: string[]; body: Buffer | null };
  #closed = false;

  constructor(template: LoadRequestTemplate, opts: UndiciTransportOptions) {
    this.#t = template;
    this.#quoted = template.keyFormat === 'sf-string';
    this.url = `${template.origin}${template.path}`;
    this.#now = opts.now;
    this.#headers = template.keyHeader !== null ? [...template.headers, template.keyHeader, ''] : [...template.headers];
    this.#keyAt = template.keyHeader !== null ? this.#headers.length - 1 : -1;
    this.#opts = { path: template.path, method: template.method, headers: this.#headers, body: null };
    this.#clients = Array.from(
      { length: opts.connections },
      () =>
        new Client(template.origin, {
          pipelining: 1,
          headersTimeout: opts.timeoutMs,
          bodyTimeout: opts.timeoutMs,
          keepAliveTimeout: 30_000,
          connect: { timeout: opts.timeoutMs },
        }),
    );
    // Popped from the end: the first connections are reused first, so a light load keeps few sockets busy.
    this.#idle = [...this.#clients].reverse();
  }

  #keyValue(key: string): string {
    // The engine only makes keys of [A-Za-z0-9_.-] (see keyPrefixProblem), which sf-string quoting never escapes.
    return this.#quoted ? `"${key}"` : key;
  }

  #dispatch(client: Client, f: Flight): void {
    f.conn = client;
    // One options object and one header list for the whole run: a Client builds its request from
    // them synchronously inside dispatch() and keeps neither (this transport never queues in undici).
    if (this.#keyAt >= 0) this.#headers[this.#keyAt] = this.#keyValue(f.key);
    this.#opts.body = f.requestBody ?? null;
    client.dispatch(this.#opts, f);
  }

  send(f: Flight): void {
    if (this.#closed) {
      f.onError(Object.assign(new Error('transport closed'), { code: 'UND_ERR_DESTROYED' }));
      return;
    }
    const client = this.#idle.pop();
    if (client) this.#dispatch(client, f);
    else this.#waiting.push(f);
  }

  done(f: Flight): void {
    const client = f.conn as Client | undefined;
    if (!client) return;
    f.conn = undefined;
    if (this.#closed) return;
    // undici fails every request queued on a client in one synchronous loop (a refused connect, a
    // reset socket) and must not be handed new work inside it: release a failed connection later.
    if (f.error) setImmediate(() => this.#release(client));
    else this.#release(client);
  }

  #release(client: Client): void {
    if (this.#closed) return;
    const next = this.#waiting.shift();
    if (next) {
      // Service time starts when the request leaves; its wait for a connection stays in the latency from its intended start.
      if (this.#now) next.sentAt = this.#now();
      this.#dispatch(client, next);
    } else {
      this.#idle.push(client);
    }
  }

  requestHeaders(f: Flight): Record<string, string> {
    const out: Record<string, string> = {};
    const h = this.#t.headers;
    for (let i = 0; i + 1 < h.length; i += 2) out[h[i]!] = h[i + 1]!;
    if (this.#t.keyHeader !== null) out[this.#t.keyHeader] = this.#keyValue(f.key);
    return out;
  }

  #failWaiting(): void {
    for (let f = this.#waiting.shift(); f; f = this.#waiting.shift()) {
      f.onError(Object.assign(new Error('load run ended before this request got a connection'), { code: 'UND_ERR_DESTROYED' }));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#failWaiting();
    await Promise.all(this.#clients.map((c) => c.close()));
  }

  async destroy(): Promise<void> {
    this.#closed = true;
    this.#failWaiting();
    await Promise.all(this.#clients.map((c) => c.destroy()));
  }
}
