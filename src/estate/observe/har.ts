// HAR 1.2 (browser devtools, proxies, `idemaudit` samples): stream-parsed with @streamparser/json so
// only one entry is in memory at a time, however large the file.
import type { Readable } from 'node:stream';
import { TrafficError } from '../errors.js';
import { noteMalformed, parseTime, pathOf, type RecordSink, type SourceStats, type TrafficRecord } from './record.js';

interface HarHeader {
  name?: unknown;
  value?: unknown;
}
interface HarEntry {
  startedDateTime?: unknown;
  request?: { method?: unknown; url?: unknown; headers?: HarHeader[]; postData?: { text?: unknown } };
  response?: { status?: unknown };
}

function header(headers: HarHeader[] | undefined, name: string): string | undefined {
  if (!Array.isArray(headers)) return undefined;
  const h = headers.find((x) => typeof x?.name === 'string' && x.name.toLowerCase() === name);
  return typeof h?.value === 'string' && h.value !== '' ? h.value : undefined;
}

export function recordFromHarEntry(entry: HarEntry, opts: { keyHeaders: string[]; clientHeader: string }): TrafficRecord | undefined {
  const req = entry.request;
  if (!req || typeof req.method !== 'string' || typeof req.url !== 'string') return undefined;
  const time = parseTime(entry.startedDateTime);
  if (Number.isNaN(time)) return undefined;
  const rec: TrafficRecord = { time, method: req.method.toUpperCase(), path: pathOf(req.url) };
  const status = Number(entry.response?.status);
  // HAR uses 0 (or -1) for "no response".
  if (Number.isInteger(status) && status > 0) rec.status = status;
  for (const name of opts.keyHeaders) {
    const key = header(req.headers, name);
    if (key) {
      rec.key = key;
      break;
    }
  }
  const client = header(req.headers, opts.clientHeader);
  if (client) rec.client = client;
  const credential = header(req.headers, 'authorization');
  if (credential) rec.credential = credential;
  if (typeof req.postData?.text === 'string') rec.body = req.postData.text;
  return rec;
}

export async function readHar(stream: Readable, opts: { keyHeaders: string[]; clientHeader: string }, sink: RecordSink, stats: SourceStats): Promise<void> {
  const keyHeaders = opts.keyHeaders.map((h) => h.toLowerCase());
  const clientHeader = opts.clientHeader.toLowerCase();
  const { JSONParser } = await import('@streamparser/json');
  const parser = new JSONParser({ paths: ['$.log.entries.*'], keepStack: false });
  let n = 0;
  parser.onValue = ({ value }) => {
    n += 1;
    const rec = value && typeof value === 'object' ? recordFromHarEntry(value as HarEntry, { keyHeaders, clientHeader }) : undefined;
    if (rec) sink(rec);
    else noteMalformed(stats, n);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      stats.bytes += chunk.length;
      // The parser ends by itself after the root object; what follows (a newline) is not HAR.
      if (!parser.isEnded) parser.write(chunk);
    }
    if (!parser.isEnded) parser.end();
  } catch (err) {
    if (err instanceof TrafficError) throw err;
    throw new TrafficError(
      `not a readable HAR file after ${n} entries: ${(err as Error).message.split('\n')[0]}`,
      'pass --input jsonl, nginx or envoy if it is not a HAR',
    );
  }
}
