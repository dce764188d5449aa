// The load hot path's HTTP/1.1 response parser and request bytes: framing (content-length,
// chunked, until close, no body), classification on the status line, replay markers read from the
// bytes, and answers split at every possible byte boundary.
import { describe, expect, it } from 'vitest';
import { RequestBytes } from '../../../src/engine/load/request-bytes.js';
import { ResponseParser, type ResponseSink } from '../../../src/engine/load/response-parser.js';

interface Seen {
  status?: number;
  marked?: boolean;
  headers?: string[];
  body: string;
  ended?: boolean;
  close?: boolean;
  failed?: string;
}

function sink(): { s: ResponseSink; seen: Seen } {
  const seen: Seen = { body: '' };
  return {
    seen,
    s: {
      head(status, marked, raw) {
        seen.status = status;
        seen.marked = marked;
        if (raw) seen.headers = raw.map((b) => b.toString('latin1'));
      },
      data(chunk) {
        seen.body += chunk.toString('latin1');
      },
      end(close) {
        seen.ended = true;
        seen.close = close;
      },
      fail(reason) {
        seen.failed = reason;
      },
    },
  };
}

/** Feeds `text` split at every boundary (and whole) and expects the same result each time. */
function parseAllSplits(text: string, keep = true, noBody = false): Seen {
  const whole = sink();
  const p = new ResponseParser();
  p.expect(whole.s, keep, noBody);
  p.feed(Buffer.from(text, 'latin1'));
  for (let cut = 1; cut < text.length; cut++) {
    const part = sink();
    const q = new ResponseParser();
    q.expect(part.s, keep, noBody);
    q.feed(Buffer.from(text.slice(0, cut), 'latin1'));
    q.feed(Buffer.from(text.slice(cut), 'latin1'));
    expect(part.seen, `split at ${cut}`).toEqual(whole.seen);
  }
  return whole.seen;
}

describe('ResponseParser', () => {
  it('reads status, headers and a content-length body, keeping them only when asked', () => {
    const text = 'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"id":"a"}';
    expect(parseAllSplits(text)).toEqual({
      status: 201,
      marked: false,
      headers: ['Content-Type', 'application/json', 'Content-Length', '10'],
      body: '{"id":"a"}',
      ended: true,
      close: false,
    });
    expect(parseAllSplits(text, false)).toEqual({ status: 201, marked: false, body: '', ended: true, close: false });
  });

  it('finds every replay marker spelling on 2xx, true or ?1, in any case; ignores it on other statuses', () => {
    for (const h of ['Idempotent-Replayed: true', 'idempotency-replayed: ?1', 'X-IDEMPOTENT-REPLAYED:  TRUE ']) {
      expect(parseAllSplits(`HTTP/1.1 200 OK\r\n${h}\r\nContent-Length: 0\r\n\r\n`, false).marked, h).toBe(true);
    }
    expect(parseAllSplits('HTTP/1.1 200 OK\r\nIdempotent-Replayed: false\r\nContent-Length: 0\r\n\r\n', false).marked).toBe(false);
    expect(parseAllSplits('HTTP/1.1 409 Conflict\r\nIdempotent-Replayed: true\r\nContent-Length: 0\r\n\r\n', false).marked).toBe(false);
  });

  it('decodes chunked bodies with extensions and trailers', () => {
    const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=1\r\nabcd\r\n3\r\nefg\r\n0\r\nX-T: 1\r\n\r\n';
    expect(parseAllSplits(text)).toMatchObject({ status: 200, body: 'abcdefg', ended: true, close: false });
  });

  it('treats 204, 304, HEAD and 1xx correctly, and a body without length as ending with the connection', () => {
    expect(parseAllSplits('HTTP/1.1 204 No Content\r\n\r\n')).toMatchObject({ status: 204, ended: true });
    expect(parseAllSplits('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', true, true)).toMatchObject({ status: 200, ended: true, body: '' });
    expect(parseAllSplits('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok')).toMatchObject({
      status: 201,
      body: 'ok',
      ended: true,
    });
    const p = new ResponseParser();
    const { s, seen } = sink();
    p.expect(s, true);
    p.feed(Buffer.from('HTTP/1.0 200 OK\r\n\r\nsome'));
    expect(seen.ended).toBeUndefined();
    p.feed(Buffer.from('thing'));
    expect(p.eof()).toBe(true);
    expect(seen).toMatchObject({ status: 200, body: 'something', ended: true, close: true });
  });

  it('reports connection: close, and fails on malformed answers instead of guessing', () => {
    expect(parseAllSplits('HTTP/1.1 503 Busy\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n')).toMatchObject({ status: 503, close: true });
    const bad = (text: string): string | undefined => {
      const p = new ResponseParser();
      const { s, seen } = sink();
      p.expect(s, false);
      p.feed(Buffer.from(text));
      return seen.failed;
    };
    expect(bad('SSH-2.0-OpenSSH\r\n\r\n')).toMatch(/status line/);
    expect(bad('HTTP/1.1 2x1 OK\r\n\r\n')).toMatch(/status code/);
    expect(bad('HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n')).toMatch(/content-length/);
    // Bytes after a complete answer: it completes, but asks for the connection to be closed (out of step).
    for (const text of [
      'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nEXTRA',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxEXTRA',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nEXTRA',
    ]) {
      const p = new ResponseParser();
      const { s, seen } = sink();
      p.expect(s, false);
      p.feed(Buffer.from(text));
      expect(seen, text).toMatchObject({ ended: true, close: true });
    }
    expect(bad('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')).toBeUndefined();
    // A cut response is not complete.
    const p = new ResponseParser();
    const { s, seen } = sink();
    p.expect(s, false);
    p.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc'));
    expect(p.eof()).toBe(false);
    expect(seen.ended).toBeUndefined();
  });
});

describe('RequestBytes', () => {
  const template = {
    endpoint: 'e',
    origin: 'http://127.0.0.1:1',
    path: '/payments?x=1',
    method: 'POST',
    headers: ['content-type', 'application/json'],
    keyHeader: 'idempotency-key',
    keyFormat: 'sf-string' as const,
    body: () => undefined,
  };

  it('splices the key (quoted for sf-string) between pre-built headers and a cached length block', () => {
    const bytes = new RequestBytes(template, '127.0.0.1:1');
    const body = Buffer.from('{"a":1}');
    const into = Buffer.alloc(bytes.size('ia-1', body));
    const n = bytes.write(into, 'ia-1', body);
    expect(n).toBe(into.length);
    expect(into.toString('latin1')).toBe(
      'POST /payments?x=1 HTTP/1.1\r\nhost: 127.0.0.1:1\r\ncontent-type: application/json\r\nidempotency-key: "ia-1"\r\ncontent-length: 7\r\n\r\n{"a":1}',
    );
  });

  it('sends a bare key for token formats, content-length 0 for a bodyless POST and none for GET', () => {
    const bare = new RequestBytes({ ...template, keyFormat: 'raw' as const }, 'h');
    const into = Buffer.alloc(200);
    expect(into.toString('latin1', 0, bare.write(into, 'k', undefined))).toBe(
      'POST /payments?x=1 HTTP/1.1\r\nhost: h\r\ncontent-type: application/json\r\nidempotency-key: k\r\ncontent-length: 0\r\n\r\n',
    );
    const get = new RequestBytes({ ...template, method: 'GET', keyHeader: null, headers: [] }, 'h');
    expect(into.toString('latin1', 0, get.write(into, '', undefined))).toBe('GET /payments?x=1 HTTP/1.1\r\nhost: h\r\n\r\n');
  });
});
