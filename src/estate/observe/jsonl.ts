// JSON lines: one request per line, fields found through a mapping (`--map key=headers.idem,...`).
// Every field has default paths covering common shapes ({ method, path, headers: {...} },
// { request: { method, url, headers } }); a mapping given by the user replaces them.
import type { Readable } from 'node:stream';
import { TrafficError } from '../errors.js';
import { forEachLine } from './lines.js';
import { noteMalformed, parseTime, pathOf, type RecordSink, type SourceStats, type TrafficRecord } from './record.js';

export const MAP_FIELDS = ['time', 'method', 'path', 'status', 'key', 'client', 'credential', 'body'] as const;
export type MapField = (typeof MAP_FIELDS)[number];
export type FieldMap = Record<MapField, string[][]>;

const split = (path: string): string[] => path.split('.');

export function defaultFieldMap(opts: { keyHeaders?: string[]; clientHeader?: string } = {}): FieldMap {
  const keys = (opts.keyHeaders?.length ? opts.keyHeaders : ['idempotency-key']).map((k) => k.toLowerCase());
  const client = (opts.clientHeader ?? 'user-agent').toLowerCase();
  const both = (p: string): string[][] => [split(p), split(`request.${p}`)];
  return {
    time: [['time'], ['timestamp'], ['ts'], ['@timestamp'], ['startedDateTime']],
    method: both('method'),
    path: [['path'], ['url'], ['uri'], ['request', 'path'], ['request', 'url']],
    status: [['status'], ['statusCode'], ['response', 'status']],
    key: keys.flatMap((key) => [
      ['headers', key],
      ['request', 'headers', key],
    ]),
    client: [
      ['headers', client],
      ['request', 'headers', client],
    ],
    credential: [
      ['headers', 'authorization'],
      ['request', 'headers', 'authorization'],
    ],
    body: [['body'], ['request', 'body']],
  };
}

/** `key=headers.idem,time=ts` over the defaults; an unknown field name is a usage error. */
export function parseFieldMap(specs: string[], base: FieldMap): FieldMap {
  const map = { ...base };
  for (const spec of specs) {
    for (const part of spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const eq = part.indexOf('=');
      const field = part.slice(0, eq).trim() as MapField;
      const path = part.slice(eq + 1).trim();
      if (eq <= 0 || !path) throw new TrafficError(`--map ${part}: expected field=path.to.value`, `fields: ${MAP_FIELDS.join(', ')}`);
      if (!MAP_FIELDS.includes(field)) throw new TrafficError(`--map ${part}: unknown field ${field}`, `fields: ${MAP_FIELDS.join(', ')}`);
      map[field] = [split(path)];
    }
  }
  return map;
}

function dig(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const o = cur as Record<string, unknown>;
    cur = seg in o ? o[seg] : o[seg.toLowerCase()];
  }
  return cur;
}

function first(obj: unknown, paths: string[][]): unknown {
  for (const p of paths) {
    const v = dig(obj, p);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

const text = (v: unknown): string | undefined => (v === undefined ? undefined : typeof v === 'string' ? v : Array.isArray(v) ? text(v[0]) : JSON.stringify(v));

/** One parsed line to a record; undefined when it lacks a method or path or time. */
export function recordFromObject(obj: unknown, map: FieldMap): TrafficRecord | undefined {
  const method = text(first(obj, map.method));
  const target = text(first(obj, map.path));
  const time = parseTime(first(obj, map.time));
  if (!method || !target || Number.isNaN(time)) return undefined;
  const rec: TrafficRecord = { time, method: method.toUpperCase(), path: pathOf(target) };
  const status = Number(first(obj, map.status));
  if (Number.isInteger(status)) rec.status = status;
  const key = text(first(obj, map.key));
  if (key) rec.key = key;
  const client = text(first(obj, map.client));
  if (client) rec.client = client;
  const credential = text(first(obj, map.credential));
  if (credential) rec.credential = credential;
  const body = text(first(obj, map.body));
  if (body !== undefined) rec.body = body;
  return rec;
}

export async function readJsonLines(stream: Readable, map: FieldMap, sink: RecordSink, stats: SourceStats): Promise<void> {
  await forEachLine(
    stream,
    (line, lineNo) => {
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        return noteMalformed(stats, lineNo);
      }
      const rec = recordFromObject(obj, map);
      if (rec) sink(rec);
      else noteMalformed(stats, lineNo);
    },
    { onTooLong: (n) => noteMalformed(stats, n), onBytes: (n) => (stats.bytes += n) },
  );
}
