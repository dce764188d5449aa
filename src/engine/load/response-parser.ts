// A minimal HTTP/1.1 response parser for the load hot path: the status from the status line, and
// from the headers only what framing and classification need (content-length, chunked,
// connection: close, a replay marker on 2xx), read byte-wise without making strings. Headers and
// body are materialized only for requests that keep their answer (duplicates, samples).
// Every response is bounded: a head over 64 KiB (endless headers) and a response over
// MAX_RESPONSE_BYTES (16 MiB, head and body; an endless body) fail it, so a hostile target costs
// bytes read up to the cap, never a connection held until the timeout.
import { REPLAY_MARKERS } from '../../core/replay-marker.js';
import { MAX_RESPONSE_BYTES } from './flight.js';

export interface ResponseSink {
  /** Status line and headers are in; rawHeaders only when asked for. */
  head(status: number, marked: boolean, rawHeaders: Buffer[] | undefined): void;
  data(chunk: Buffer): void;
  /** The response is complete; `close` when the server asked to close the connection. */
  end(close: boolean): void;
  /** A protocol error: the connection cannot be reused. `code` IDEMAUDIT_BODY_LIMIT: the response passed its byte cap. */
  fail(reason: string, code?: string): void;
}

/** Error code of a response cut at its byte cap (the same as the undici wire's). */
export const BODY_LIMIT_CODE = 'IDEMAUDIT_BODY_LIMIT';

const MARKERS = REPLAY_MARKERS.map((m) => Buffer.from(m.toLowerCase(), 'latin1'));
const MARKER_LENGTHS = new Set(MARKERS.map((m) => m.length));
const CONTENT_LENGTH = Buffer.from('content-length', 'latin1');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding', 'latin1');
const CONNECTION = Buffer.from('connection', 'latin1');
/** Heads larger than this are a protocol error (nothing a sane server sends). */
const MAX_HEAD = 64 * 1024;

const enum State {
  Head,
  Length,
  Chunked,
  UntilClose,
  Done,
}
const enum Chunk {
  Size,
  Data,
  DataEnd,
  Trailer,
}

/** Whether bytes [start, end) of buf equal `name` ignoring ASCII case (`name` is lower case). */
function nameIs(buf: Buffer, start: number, end: number, name: Buffer): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) {
    if ((buf[start + i]! | 0x20) !== name[i]) return false;
  }
  return true;
}

function trimmed(buf: Buffer, start: number, end: number): [number, number] {
  while (start < end && (buf[start] === 0x20 || buf[start] === 0x09)) start++;
  while (end > start && (buf[end - 1] === 0x20 || buf[end - 1] === 0x09)) end--;
  return [start, end];
}

/** "true" or "?1", any case. */
function isTrue(buf: Buffer, start: number, end: number): boolean {
  [start, end] = trimmed(buf, start, end);
  const n = end - start;
  if (n === 2) return buf[start] === 0x3f && buf[start + 1] === 0x31;
  return (
    n === 4 && (buf[start]! | 0x20) === 0x74 && (buf[start + 1]! | 0x20) === 0x72 && (buf[start + 2]! | 0x20) === 0x75 && (buf[start + 3]! | 0x20) === 0x65
  );
}

const KEEP_ALIVE = Buffer.from('keep-alive', 'latin1');

/** Whether the value (a comma list) contains the token, ASCII case-insensitively. */
function hasToken(buf: Buffer, start: number, end: number, token: string): boolean {
  // The common answer ("Connection: keep-alive" on every nginx response) is decided without a string.
  const [a, b] = trimmed(buf, start, end);
  if (nameIs(buf, a, b, KEEP_ALIVE)) return token === 'keep-alive';
  return buf
    .toString('latin1', start, end)
    .toLowerCase()
    .split(',')
    .some((t) => t.trim() === token);
}

export class ResponseParser {
  #state = State.Done;
  #sink: ResponseSink | undefined;
  /** The sink of the last completed response (told when stray bytes follow it). */
  #last: ResponseSink | undefined;
  #keep = false;
  #noBody = false;
  #pending: Buffer | undefined;
  #remaining = 0;
  #chunk = Chunk.Size;
  #close = false;
  /** Bytes of the current response so far (head and body, framing included). */
  #received = 0;

  /** `maxBytes`: most bytes one response may take (head and body); default MAX_RESPONSE_BYTES. */
  constructor(private readonly maxBytes: number = MAX_RESPONSE_BYTES) {}

  /** Bytes of the current (or last) response read so far. */
  get received(): number {
    return this.#received;
  }

  /** Expect the response to a new request. `noBody`: a HEAD request. */
  expect(sink: ResponseSink, keep: boolean, noBody = false): void {
    this.#received = 0;
    this.#sink = sink;
    this.#keep = keep;
    this.#noBody = noBody;
    this.#state = State.Head;
    this.#pending = undefined;
    this.#close = false;
  }

  get idle(): boolean {
    return this.#state === State.Done;
  }

  /** Whether the response so far got its head (for timeout classification). */
  get headDone(): boolean {
    return this.#state !== State.Head;
  }

  /** The connection ended: completes a body delimited by the close, else reports whether a response was cut. */
  eof(): boolean {
    if (this.#state === State.UntilClose) {
      this.#finish();
      return true;
    }
    return this.#state === State.Done;
  }

  feed(chunk: Buffer): void {
    if (this.#state !== State.Done) {
      this.#received += chunk.length;
      if (this.#received > this.maxBytes) {
        this.#fail(`response over ${this.maxBytes} bytes: request aborted`, BODY_LIMIT_CODE);
        return;
      }
    }
    let buf = chunk;
    let at = 0;
    if (this.#pending) {
      // A head or chunk-size line split across reads: join it with what follows.
      buf = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    while (at < buf.length) {
      switch (this.#state) {
        case State.Done:
          // Bytes after a complete response with nothing asked: the server misbehaves, and the
          // connection is out of step (its owner drops it).
          this.#sink ??= this.#last;
          this.#fail('unexpected bytes after the response');
          return;
        case State.Head: {
          const end = buf.indexOf('\r\n\r\n', at, 'latin1');
          if (end < 0) {
            if (buf.length - at > MAX_HEAD) return this.#fail('response head too large');
            this.#pending = Buffer.from(buf.subarray(at));
            return;
          }
          if (!this.#head(buf, at, end, buf.length > end + 4)) return;
          at = end + 4;
          // Finished (no body): whatever follows is not ours, and the next request may already be expected.
          if ((this.#state as State) === State.Done) return;
          break;
        }
        case State.Length: {
          const n = Math.min(this.#remaining, buf.length - at);
          if (this.#keep) this.#sink!.data(buf.subarray(at, at + n));
          at += n;
          this.#remaining -= n;
          if (this.#remaining === 0) {
            this.#finish(at < buf.length);
            return;
          }
          break;
        }
        case State.UntilClose: {
          if (this.#keep) this.#sink!.data(buf.subarray(at));
          at = buf.length;
          break;
        }
        case State.Chunked:
          at = this.#chunked(buf, at);
          if (at < 0) return; // finished or failed
          break;
      }
    }
  }

  #fail(reason: string, code?: string): void {
    this.#state = State.Done;
    const sink = this.#sink;
    this.#sink = undefined;
    if (code === undefined) sink?.fail(reason);
    else sink?.fail(reason, code);
  }

  /** `stray`: bytes follow the response, so the connection is out of step and must be closed. */
  #finish(stray = false): void {
    if (stray) this.#close = true;
    this.#state = State.Done;
    const sink = this.#sink!;
    this.#last = sink;
    this.#sink = undefined;
    sink.end(this.#close);
  }

  /** Parses the head in [start, end); false when it failed (sink told). */
  #head(buf: Buffer, start: number, end: number, more: boolean): boolean {
    // "HTTP/1.1 201 Created"
    if (end - start < 12 || buf[start] !== 0x48 || buf[start + 8] !== 0x20) {
      this.#fail('malformed status line');
      return false;
    }
    const d0 = buf[start + 9]! - 48;
    const d1 = buf[start + 10]! - 48;
    const d2 = buf[start + 11]! - 48;
    if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
      this.#fail('malformed status code');
      return false;
    }
    const status = d0 * 100 + d1 * 10 + d2;
    const success = status >= 200 && status < 300;
    let length = -1;
    let chunked = false;
    let marked = false;
    const raw: Buffer[] | undefined = this.#keep ? [] : undefined;
    let line = buf.indexOf(0x0a, start) + 1;
    while (line > 0 && line < end) {
      let eol = buf.indexOf(0x0d, line);
      if (eol < 0 || eol > end) eol = end;
      const colon = buf.indexOf(0x3a, line);
      if (colon > line && colon < eol) {
        const nameLen = colon - line;
        if (nameLen === CONTENT_LENGTH.length && nameIs(buf, line, colon, CONTENT_LENGTH)) {
          const [a, b] = trimmed(buf, colon + 1, eol);
          let n = 0;
          for (let i = a; i < b; i++) {
            const d = buf[i]! - 48;
            if (d < 0 || d > 9) {
              this.#fail('malformed content-length');
              return false;
            }
            n = n * 10 + d;
          }
          length = n;
        } else if (nameLen === TRANSFER_ENCODING.length && nameIs(buf, line, colon, TRANSFER_ENCODING)) {
          chunked = hasToken(buf, colon + 1, eol, 'chunked');
        } else if (nameLen === CONNECTION.length && nameIs(buf, line, colon, CONNECTION)) {
          if (hasToken(buf, colon + 1, eol, 'close')) this.#close = true;
        } else if (success && MARKER_LENGTHS.has(nameLen)) {
          for (const m of MARKERS) {
            if (nameIs(buf, line, colon, m) && isTrue(buf, colon + 1, eol)) marked = true;
          }
        }
        if (raw) {
          const [a, b] = trimmed(buf, colon + 1, eol);
          raw.push(Buffer.from(buf.subarray(line, colon)), Buffer.from(buf.subarray(a, b)));
        }
      }
      line = eol + 2;
    }
    if (status < 200) {
      // 1xx: an interim answer; the real one follows.
      return true;
    }
    this.#sink!.head(status, marked, raw);
    if (this.#state !== State.Head) return false; // the sink failed or reset us
    if (this.#noBody || status === 204 || status === 304) {
      this.#finish(more);
    } else if (chunked) {
      this.#state = State.Chunked;
      this.#chunk = Chunk.Size;
    } else if (length >= 0) {
      this.#remaining = length;
      this.#state = State.Length;
      if (length === 0) this.#finish(more);
    } else {
      this.#close = true;
      this.#state = State.UntilClose;
    }
    return true;
  }

  /** Chunked body from `at`; returns where it stopped, -1 when it failed. */
  #chunked(buf: Buffer, at: number): number {
    while (at < buf.length && this.#state === State.Chunked) {
      if (this.#chunk === Chunk.Data) {
        const n = Math.min(this.#remaining, buf.length - at);
        if (this.#keep) this.#sink!.data(buf.subarray(at, at + n));
        at += n;
        this.#remaining -= n;
        if (this.#remaining === 0) this.#chunk = Chunk.DataEnd;
        continue;
      }
      // Size lines, the CRLF after data and trailers are line-based: a split line waits for the next read.
      const eol = buf.indexOf('\r\n', at, 'latin1');
      if (eol < 0) {
        this.#pending = Buffer.from(buf.subarray(at));
        return buf.length;
      }
      if (this.#chunk === Chunk.DataEnd) {
        this.#chunk = Chunk.Size;
      } else if (this.#chunk === Chunk.Size) {
        const size = parseInt(buf.toString('latin1', at, eol).split(';')[0]!.trim(), 16);
        if (!Number.isFinite(size) || size < 0) {
          this.#fail('malformed chunk size');
          return -1;
        }
        if (size === 0) this.#chunk = Chunk.Trailer;
        else {
          this.#remaining = size;
          this.#chunk = Chunk.Data;
        }
      } else if (eol === at) {
        // The blank line that ends the trailers.
        this.#finish(eol + 2 < buf.length);
        return -1;
      }
      at = eol + 2;
    }
    return at;
  }
}
