// `idemaudit proxy`: the fault proxy on its own, in front of any API, until SIGINT/SIGTERM.
// Faults come as compact flags: name[:probability][,key=value...].
import { parseDuration } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';
import { randomSeed } from '../../core/rng.js';
import { parseFaultSpec, startFaultProxy, type FaultEvent, type FaultProxy, type FaultProxyStats, type FaultSpecBase } from '../../faults/index.js';
import type { CliIO } from '../io.js';
import { Redactor } from '../../report/redact.js';
import { sanitizeLine } from '../../report/sanitize.js';

export interface ProxyFlags {
  upstream: string;
  /** Port to listen on; 0 picks a free one. */
  listen: number;
  host: string;
  /** Repeatable; each value is one fault spec (commas belong to the spec, never split them). */
  fault: string[];
  seed?: string;
  /** Do not print a line per injected fault. */
  quiet?: boolean;
}

export const FAULT_FLAG_FORMAT = 'name[:probability][,key=value...], e.g. drop-response-after-upstream:0.3 or latency,ms=200,jitterMs=50,path=/payments';

const MATCH_KEYS = new Set(['method', 'path']);

/** Flag values are text: numbers and booleans become what the schemas expect; `*Ms` options also take 250ms, 30s, 5m. */
function coerce(key: string, raw: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  const duration = key.endsWith('Ms') ? parseDuration(raw) : undefined;
  if (duration !== undefined) return duration;
  return raw;
}

/**
 * Parses one --fault value into a validated spec (defaults filled). `method=` and `path=` go into
 * `match`; every other key=value is an option of the fault. Throws UsageError naming the problem.
 */
export function parseFaultFlag(text: string): FaultSpecBase {
  const label = `--fault '${text}'`;
  const [head = '', ...options] = text.trim().split(',');
  const colon = head.indexOf(':');
  const name = (colon === -1 ? head : head.slice(0, colon)).trim();
  if (name === '') throw new UsageError(`${label}: missing fault name`, `format: ${FAULT_FLAG_FORMAT}`);
  const spec: Record<string, unknown> = { name };
  if (colon !== -1) {
    const raw = head.slice(colon + 1).trim();
    if (!/^\d*\.?\d+$/.test(raw)) throw new UsageError(`${label}: probability '${raw}' is not a number between 0 and 1`, `format: ${FAULT_FLAG_FORMAT}`);
    spec.probability = Number(raw);
  }
  const match: Record<string, string> = {};
  for (const option of options) {
    const eq = option.indexOf('=');
    const key = option.slice(0, eq).trim();
    if (eq <= 0 || key === '') throw new UsageError(`${label}: expected key=value, got '${option}'`, `format: ${FAULT_FLAG_FORMAT}`);
    if (key === 'name' || key === 'match') throw new UsageError(`${label}: '${key}' cannot be set as an option`, `format: ${FAULT_FLAG_FORMAT}`);
    if (key in spec || key in match) throw new UsageError(`${label}: '${key}' is given twice`);
    const raw = option.slice(eq + 1).trim();
    if (MATCH_KEYS.has(key)) match[key] = raw;
    else spec[key] = coerce(key, raw);
  }
  if (Object.keys(match).length > 0) spec.match = match;
  return parseFaultSpec(spec, label);
}

/** A spec in flag syntax with its defaults, so the banner shows exactly what runs. */
export function formatFaultSpec(spec: FaultSpecBase): string {
  const { name, probability, match, ...options } = spec;
  const parts = [probability === 1 ? name : `${name}:${probability}`];
  for (const [key, value] of Object.entries(options)) parts.push(`${key}=${String(value)}`);
  if (match?.method) parts.push(`method=${match.method}`);
  if (match?.path) parts.push(`path=${match.path}`);
  return parts.join(',');
}

// Credential-named query parameters (token, api_key, signature, ...) and URL credentials are never printed.
const redactor = new Redactor();

export function formatEvent(e: FaultEvent): string {
  const extras = [
    e.key !== undefined ? `key=${sanitizeLine(e.key)}` : '',
    e.upstreamStatuses ? `upstream=${e.upstreamStatuses.join('+')}` : '',
    e.delayMs !== undefined ? `delay=${e.delayMs}ms` : '',
  ].filter(Boolean);
  return `fault ${e.fault} ${sanitizeLine(e.method)} ${sanitizeLine(redactor.url(e.path))}${extras.length ? ` ${extras.join(' ')}` : ''}\n`;
}

function formatStats(stats: FaultProxyStats): string {
  const faults = Object.entries(stats.faults).map(([name, s]) => `${name} injected ${s.injected}, passed ${s.passed}`);
  return `${stats.requests} requests: ${stats.transparent} transparent, ${stats.proxyErrors} proxy errors${faults.length ? `; ${faults.join('; ')}` : ''}\n`;
}

async function start(flags: ProxyFlags, faults: FaultSpecBase[], seed: string, io: CliIO): Promise<FaultProxy> {
  try {
    return await startFaultProxy({
      upstream: flags.upstream,
      port: flags.listen,
      host: flags.host,
      faults,
      seed,
      ...(flags.quiet ? {} : { onEvent: (e: FaultEvent) => io.stdout.write(formatEvent(e)) }),
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(`cannot listen on ${flags.host}:${flags.listen} (${code})`, 'choose another --listen port, or 0 for any free port');
    }
    throw err;
  }
}

export async function proxyCommand(flags: ProxyFlags, io: CliIO): Promise<number> {
  // Every spec is checked before anything listens: a typo never half-starts the proxy.
  const faults = flags.fault.map(parseFaultFlag);
  const seed = flags.seed ?? randomSeed();
  const proxy = await start(flags, faults, seed, io);
  const described = faults.length > 0 ? faults.map(formatFaultSpec).join(' ') : 'none';
  io.stdout.write(`fault proxy listening on ${proxy.url} -> ${redactor.url(flags.upstream)} (faults: ${described})\n`);
  io.stdout.write(`  seed ${seed} (same seed and request order, same decisions)\n`);
  await new Promise<void>((resolve) => {
    const off = io.onSignal(() => {
      off();
      resolve();
    });
  });
  io.stdout.write('shutting down: closing held connections\n');
  await proxy.close();
  io.stdout.write(formatStats(proxy.stats()));
  return 0;
}
