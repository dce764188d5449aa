// The bytes of one load request, built once per run and per connection: the request line and the
// fixed headers are pre-encoded, the key is written into a per-connection scratch buffer between
// them, then a cached "content-length: N" block and the body. Per request this allocates nothing but
// the view handed to the socket (the key string itself is made by the engine).
import type { LoadRequestTemplate } from './types.js';

const CRLF2 = Buffer.from('\r\n\r\n', 'latin1');
const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE']);

export class RequestBytes {
  /** Request line, host and fixed headers, ending with the key header's name (and opening quote). */
  readonly head: Buffer;
  /** After the key: the closing quote (sf-string) and the line end. */
  readonly afterKey: Buffer;
  readonly #lengthBlocks = new Map<number, Buffer>();
  readonly #sendsBodyless: boolean;

  constructor(template: LoadRequestTemplate, host: string) {
    const quoted = template.keyFormat === 'sf-string';
    let text = `${template.method} ${template.path} HTTP/1.1\r\nhost: ${host}\r\n`;
    for (let i = 0; i + 1 < template.headers.length; i += 2) text += `${template.headers[i]}: ${template.headers[i + 1]}\r\n`;
    const keyed = template.keyHeader !== null;
    if (keyed) text += `${template.keyHeader}: ${quoted ? '"' : ''}`;
    this.head = Buffer.from(text, 'latin1');
    this.afterKey = Buffer.from(keyed ? `${quoted ? '"' : ''}\r\n` : '', 'latin1');
    this.#sendsBodyless = !METHODS_WITHOUT_BODY.has(template.method.toUpperCase());
  }

  /** "content-length: N\r\n\r\n" (or just the blank line), cached per length. */
  #lengthBlock(n: number | undefined): Buffer {
    if (n === undefined && !this.#sendsBodyless) return CRLF2.subarray(2);
    const len = n ?? 0;
    let b = this.#lengthBlocks.get(len);
    if (!b) {
      b = Buffer.from(`content-length: ${len}\r\n\r\n`, 'latin1');
      if (this.#lengthBlocks.size < 4096) this.#lengthBlocks.set(len, b);
    }
    return b;
  }

  /** Bytes needed for a request with this key and body. */
  size(key: string, body: Buffer | undefined): number {
    return this.head.length + key.length + this.afterKey.length + this.#lengthBlock(body?.length).length + (body?.length ?? 0);
  }

  /** Writes the request into `into` (which must be at least size() long); returns the length written. */
  write(into: Buffer, key: string, body: Buffer | undefined): number {
    let at = this.head.copy(into, 0);
    at += into.write(key, at, 'latin1');
    at += this.afterKey.copy(into, at);
    at += this.#lengthBlock(body?.length).copy(into, at);
    if (body) at += body.copy(into, at);
    return at;
  }
}
