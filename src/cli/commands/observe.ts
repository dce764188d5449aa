// `idemaudit observe <traffic>`: passive analysis of recorded traffic (HAR, JSON lines, nginx or
// Envoy access logs) in bounded memory.
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hostAllowed } from '../../engine/guard.js';
import { EXIT, UsageError } from '../../core/errors.js';
import {
  DEFAULT_KEY_HEADERS,
  INPUT_FORMATS,
  loadSpec,
  specBaseUrl,
  OBSERVE_FORMATS,
  observeFile,
  renderObserve,
  type InputFormat,
  type ObserveFormat,
} from '../../estate/index.js';
import type { CliIO } from '../io.js';
import { duration, list, positiveInt } from '../options.js';

export interface ObserveFlags {
  input?: string;
  spec?: string;
  map: string[];
  keyHeader: string[];
  clientHeader?: string;
  window: number;
  retryWindow: number;
  maxKeys: number;
  format: string;
  output?: string;
  allowHost: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function addObserveFlags(cmd: Command): Command {
  return cmd
    .option('--input <format>', `${INPUT_FORMATS.join(', ')} (default: from the file name and first bytes)`)
    .option('--spec <openapi>', "name endpoints by this spec's path templates (else ids in paths are collapsed to {id})")
    .option(
      '--map <field=path,...>',
      'JSON lines: where each field is, e.g. key=headers.idempotency-key,time=ts,credential=headers.x-api-key (fields: time, method, path, status, key, client, credential, body; repeatable)',
      collect,
      [],
    )
    .option('--key-header <names>', 'idempotency key header names, comma-separated (default Idempotency-Key,X-Idempotency-Key,Idempotency-Token)', list, [])
    .option('--client-header <name>', 'client version from this header instead of User-Agent (e.g. x-client-version)')
    .option('--window <duration>', 'a key reused within this time is a retry', duration, 600_000)
    .option('--retry-window <duration>', 'same client and payload without a key within this time is a retry without a key', duration, 30_000)
    .option('--max-keys <n>', 'keys (and keyless fingerprints) tracked at once; the oldest beyond it are forgotten and reported', positiveInt, 200_000)
    .option('-f, --format <format>', `output format: ${OBSERVE_FORMATS.join(', ')}`, 'terminal')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--allow-host <host>', 'allow fetching --spec from this non-loopback host (repeatable)', list, []);
}

export async function observeCommand(file: string, flags: ObserveFlags, io: CliIO): Promise<number> {
  const format = flags.format as ObserveFormat;
  if (!OBSERVE_FORMATS.includes(format)) throw new UsageError(`unknown format ${flags.format}`, `use one of ${OBSERVE_FORMATS.join(', ')}`);
  if (flags.input !== undefined && !INPUT_FORMATS.includes(flags.input as InputFormat)) {
    throw new UsageError(`unknown input format ${flags.input}`, `use one of ${INPUT_FORMATS.join(', ')}`);
  }
  if (flags.maxKeys < 1) throw new UsageError('--max-keys must be at least 1');
  let templates: string[] = [];
  if (flags.spec) {
    const spec = await loadSpec(flags.spec, { allowUrl: (url) => hostAllowed(url, flags.allowHost) });
    // Logs carry the full path: a server URL's path (/v1) or Swagger's basePath comes first.
    const base = new URL(specBaseUrl(spec) ?? 'http://x').pathname.replace(/\/+$/, '');
    templates = Object.keys(spec.doc.paths as Record<string, unknown>).flatMap((p) => (base ? [base + p, p] : [p]));
  }
  const report = await observeFile(file, {
    ...(flags.input ? { input: flags.input as InputFormat } : {}),
    templates,
    ...(flags.spec ? { specSource: flags.spec } : {}),
    keyHeaders: flags.keyHeader.length ? flags.keyHeader : DEFAULT_KEY_HEADERS,
    ...(flags.clientHeader ? { clientHeader: flags.clientHeader } : {}),
    map: flags.map,
    windowMs: flags.window,
    keylessWindowMs: flags.retryWindow,
    maxTracked: flags.maxKeys,
  });
  const text = renderObserve(report, format);
  if (flags.output) {
    await mkdir(path.dirname(path.resolve(flags.output)), { recursive: true });
    await writeFile(flags.output, text);
    io.stdout.write(`observe: ${flags.output} (${report.records} requests, ${report.mutations} mutations)\n`);
  } else {
    io.stdout.write(text);
  }
  return EXIT.ok;
}
