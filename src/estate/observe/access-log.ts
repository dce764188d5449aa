// nginx and Envoy access logs with the idempotency key logged. One documented line format each
// (README "Estate"); missing values are "-" (nginx and Envoy both print that).
//
// nginx:  log_format idemaudit '$time_iso8601 "$request" $status "$http_user_agent" "$http_idempotency_key" "$http_authorization" "$request_body"';
// Envoy:  [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% "%REQ(USER-AGENT)%" "%REQ(IDEMPOTENCY-KEY)%" "%REQ(AUTHORIZATION)%"
//
// The request body field is optional (the nginx line may end after the credential).
import type { Readable } from 'node:stream';
import { forEachLine } from './lines.js';
import { noteMalformed, parseTime, pathOf, type RecordSink, type SourceStats, type TrafficRecord } from './record.js';

const Q = '"((?:[^"\\\\]|\\\\.)*)"';
const LINE = new RegExp(`^\\[?([^\\s\\]]+)\\]? "([A-Za-z]+) (\\S+)[^"]*" (\\d{3}|-) ${Q} ${Q} ${Q}(?: ${Q})?\\s*$`);

/** nginx escapes `"` and non-ASCII bytes as \xHH in logs; decode them back. */
function unescape(value: string): string {
  return value.includes('\\') ? value.replace(/\\x([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/\\(.)/g, '$1') : value;
}

const present = (v: string | undefined): string | undefined => (v === undefined || v === '-' || v === '' ? undefined : unescape(v));

export function recordFromLogLine(line: string): TrafficRecord | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const time = parseTime(m[1]);
  if (Number.isNaN(time)) return undefined;
  const rec: TrafficRecord = { time, method: m[2]!.toUpperCase(), path: pathOf(m[3]!) };
  if (m[4] !== '-') rec.status = Number(m[4]);
  const client = present(m[5]);
  if (client) rec.client = client;
  const key = present(m[6]);
  if (key) rec.key = key;
  const credential = present(m[7]);
  if (credential) rec.credential = credential;
  const body = present(m[8]);
  if (body !== undefined) rec.body = body;
  return rec;
}

export async function readAccessLog(stream: Readable, sink: RecordSink, stats: SourceStats): Promise<void> {
  await forEachLine(
    stream,
    (line, lineNo) => {
      const rec = recordFromLogLine(line);
      if (rec) sink(rec);
      else noteMalformed(stats, lineNo);
    },
    { onTooLong: (n) => noteMalformed(stats, n), onBytes: (n) => (stats.bytes += n) },
  );
}
