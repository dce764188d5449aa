// The wire under a load run: undici's Pool driven through dispatch() with the Flight as its
// handler, the leanest path undici offers (GUIDE section 5: dispatch() is ~1.15x request()).
import { Pool } from 'undici';
import type { Flight } from './flight.js';
import type { LoadRequestTemplate } from './types.js';

export interface Transport {
  /** Send the flight's request; the transport calls the flight's handler methods exactly once to the end. */
  send(f: Flight): void;
  /** Headers of a flight's request as sent (for evidence; not on the hot path). */
  requestHeaders(f: Flight): Record<string, string>;
  readonly url: string;
  /** Let in-flight requests finish, then release the sockets. */
  close(): Promise<void>;
  /** Abort everything in flight (each flight gets onError) and release the sockets. */
  destroy(): Promise<void>;
}

export interface UndiciTransportOptions {
  connections: number;
  timeoutMs: number;
}

export class UndiciTransport implements Transport {
  readonly #pool: Pool;
  readonly #t: LoadRequestTemplate;
  readonly #quoted: boolean;
  readonly url: string;

  constructor(template: LoadRequestTemplate, opts: UndiciTransportOptions) {
    this.#t = template;
    this.#quoted = template.keyFormat === 'sf-string';
    this.url = `${template.origin}${template.path}`;
    this.#pool = new Pool(template.origin, {
      connections: opts.connections,
      pipelining: 1,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      keepAliveTimeout: 30_000,
      connect: { timeout: opts.timeoutMs },
    });
  }

  #keyValue(key: string): string {
    // The engine only makes keys of [A-Za-z0-9_.-] (see keyPrefixProblem), which sf-string quoting never escapes.
    return this.#quoted ? `"${key}"` : key;
  }

  send(f: Flight): void {
    const t = this.#t;
    const headers = t.headers.slice();
    if (t.keyHeader !== null) headers.push(t.keyHeader, this.#keyValue(f.key));
    this.#pool.dispatch({ origin: t.origin, path: t.path, method: t.method, headers, body: f.requestBody ?? null }, f);
  }

  requestHeaders(f: Flight): Record<string, string> {
    const out: Record<string, string> = {};
    const h = this.#t.headers;
    for (let i = 0; i + 1 < h.length; i += 2) out[h[i]!] = h[i + 1]!;
    if (this.#t.keyHeader !== null) out[this.#t.keyHeader] = this.#keyValue(f.key);
    return out;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  destroy(): Promise<void> {
    return this.#pool.destroy();
  }
}
