// `observe`: stream a traffic file through the analyzer. Input format from --input or sniffed
// from the name and the first bytes.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { TrafficError } from '../errors.js';
import { TrafficAnalyzer, type ObserveResult } from './analyze.js';
import { readAccessLog } from './access-log.js';
import { templateMatcher } from './endpoints.js';
import { readHar } from './har.js';
import { defaultFieldMap, parseFieldMap, readJsonLines } from './jsonl.js';
import { newSourceStats, type SourceStats } from './record.js';

export const INPUT_FORMATS = ['har', 'jsonl', 'nginx', 'envoy'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export const OBSERVE_SCHEMA_VERSION = 1;

export interface ObserveReport extends ObserveResult {
  schemaVersion: number;
  source: string;
  input: InputFormat;
  /** The spec whose path templates named the endpoints, if one was given. */
  spec: string | null;
  malformed: number;
  malformedAt: number[];
  bytes: number;
}

export interface ObserveFileOptions {
  input?: InputFormat;
  /** Path templates (from a spec) to name endpoints with. */
  templates?: string[];
  specSource?: string;
  keyHeaders: string[];
  /** Client version from this header instead of User-Agent. */
  clientHeader?: string;
  map?: string[];
  windowMs?: number;
  keylessWindowMs?: number;
  maxTracked?: number;
}

export async function sniffFormat(file: string): Promise<InputFormat> {
  if (/\.har$/i.test(file)) return 'har';
  if (/\.jsonl$|\.ndjson$/i.test(file)) return 'jsonl';
  let head = '';
  try {
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new TrafficError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const start = head.trimStart();
  if (start.startsWith('{') && /^\{\s*"log"\s*:/.test(start)) return 'har';
  if (start.startsWith('{')) return 'jsonl';
  if (start.startsWith('[')) return 'envoy';
  if (/^\S+ "/.test(start)) return 'nginx';
  throw new TrafficError(`cannot tell the format of ${file}`, `pass --input ${INPUT_FORMATS.join('|')}`);
}

export async function observeFile(file: string, opts: ObserveFileOptions): Promise<ObserveReport> {
  const input = opts.input ?? (await sniffFormat(file));
  const analyzer = new TrafficAnalyzer({
    endpointOf: templateMatcher(opts.templates ?? []),
    ...(opts.windowMs !== undefined ? { windowMs: opts.windowMs } : {}),
    ...(opts.keylessWindowMs !== undefined ? { keylessWindowMs: opts.keylessWindowMs } : {}),
    ...(opts.maxTracked !== undefined ? { maxTracked: opts.maxTracked } : {}),
  });
  const stats: SourceStats = newSourceStats();
  const sink = analyzer.add.bind(analyzer);
  const clientHeader = opts.clientHeader ?? 'user-agent';
  const map = parseFieldMap(opts.map ?? [], defaultFieldMap({ keyHeaders: opts.keyHeaders, clientHeader }));
  const stream = createReadStream(file, { highWaterMark: 1024 * 1024 });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: NodeJS.ErrnoException) => reject(new TrafficError(`cannot read ${file}: ${err.code ?? err.message}`)));
  });
  await opened;
  switch (input) {
    case 'har':
      await readHar(stream, { keyHeaders: opts.keyHeaders, clientHeader }, sink, stats);
      break;
    case 'jsonl':
      await readJsonLines(stream, map, sink, stats);
      break;
    case 'nginx':
    case 'envoy':
      await readAccessLog(stream, sink, stats);
      break;
  }
  const result = analyzer.finish();
  if (result.records === 0 && stats.malformed > 0) {
    throw new TrafficError(
      `${file}: no request could be read as ${input} (${stats.malformed} malformed, first at ${stats.malformedAt.join(', ')})`,
      input === 'jsonl'
        ? 'map the fields with --map time=...,method=...,path=...,key=...'
        : `check the log format (README: Estate) or pass --input ${INPUT_FORMATS.join('|')}`,
    );
  }
  return {
    schemaVersion: OBSERVE_SCHEMA_VERSION,
    source: file,
    input,
    spec: opts.specSource ?? null,
    ...result,
    malformed: stats.malformed,
    malformedAt: stats.malformedAt,
    bytes: stats.bytes,
  };
}
