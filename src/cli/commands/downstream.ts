// `idemaudit downstream`: one downstream recorder (a fake service B) behind the fault proxy, in the
// foreground until SIGINT/SIGTERM. Point the app under audit at the proxy's port (an environment
// variable of the app), then read what B recorded at GET <url>/_downstream/calls, or from the lines
// printed when it stops. Faults come as `idemaudit proxy`'s --fault specs; --fail-after-commit n
// arms the first n calls with error-after-upstream (or drop-response-after-upstream) one-shots.
import { startDownstreamService } from '../../audit/downstream.js';
import { UsageError } from '../../core/errors.js';
import { randomSeed } from '../../core/rng.js';
import { CALLS_PATH, type RecordedCall } from '../../downstream/index.js';
import type { FaultProxyStats } from '../../faults/index.js';
import { sanitizeLine } from '../../report/sanitize.js';
import { failureFault } from '../../scenario/downstream.js';
import type { CliIO } from '../io.js';
import { formatEvent, formatFaultSpec, parseFaultFlag } from './proxy.js';
import { Redactor } from '../../report/redact.js';

export interface DownstreamFlags {
  port: number;
  host: string;
  status: number;
  body?: string;
  latency?: number;
  keyHeader: string;
  correlationHeader: string;
  /** The first n calls are recorded, then fail as --fail-mode says. */
  failAfterCommit: number;
  failMode: 'status' | 'drop';
  failStatus: number;
  maxCalls: number;
  /** Repeatable fault specs of the proxy in front of the recorder (`idemaudit proxy --fault` syntax). */
  fault: string[];
  seed?: string;
  /** Do not print a line per injected fault. */
  quiet?: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Recorded paths as printed: credential-named query parameters redacted (the app's own credential to B). */
const PATHS = new Redactor();

/** One line per recorded call: what a developer reads to follow the evidence. */
export function formatCall(c: RecordedCall): string {
  return sanitizeLine(
    `#${c.seq} ${new Date(c.arrivedAt).toISOString()} ${c.method} ${PATHS.url(c.path)} key=${c.key ?? '-'} correlation=${c.correlationId ?? '-'} body-sha256=${c.bodySha256.slice(0, 16)} answer=${c.answer}`,
  );
}

function formatFaultStats(stats: FaultProxyStats): string {
  const faults = Object.entries(stats.faults).map(([name, s]) => `${name} ${s.injected}`);
  return `faults injected: ${faults.length > 0 ? faults.join(', ') : 'none'}\n`;
}

export async function downstreamCommand(flags: DownstreamFlags, io: CliIO): Promise<number> {
  if (!LOOPBACK.has(flags.host)) throw new UsageError(`--host ${flags.host}: the recorder listens on loopback only`, 'use 127.0.0.1 (the default) or ::1');
  if (flags.status < 200 || flags.status > 599) throw new UsageError(`--status ${flags.status}: expected an HTTP status from 200 to 599`);
  if (flags.failStatus < 500 || flags.failStatus > 599) throw new UsageError(`--fail-status ${flags.failStatus}: expected a 5xx status`);
  if (flags.maxCalls < 1) throw new UsageError('--max-calls must be at least 1');
  // Every spec is checked before anything listens: a typo never half-starts the recorder.
  const faults = flags.fault.map(parseFaultFlag);
  const seed = flags.seed ?? randomSeed();
  const service = await startDownstreamService({
    port: flags.port,
    host: flags.host,
    keyHeader: flags.keyHeader,
    correlationHeader: flags.correlationHeader,
    maxCalls: flags.maxCalls,
    response: {
      status: flags.status,
      ...(flags.body !== undefined ? { body: flags.body } : {}),
      ...(flags.latency !== undefined ? { latencyMs: flags.latency } : {}),
    },
    faults,
    seed,
    ...(flags.quiet ? {} : { onFault: (e) => io.stdout.write(formatEvent(e)) }),
  }).catch((err: unknown) => {
    throw new UsageError(`cannot listen on ${flags.host}:${flags.port} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  });
  const failure = failureFault({ mode: flags.failMode, status: flags.failStatus });
  for (let i = 0; i < flags.failAfterCommit; i++) service.proxy.injectNext(failure);
  const described = faults.length > 0 ? faults.map(formatFaultSpec).join(' ') : 'none';
  io.stdout.write(
    `downstream recorder listening on ${service.url} (answers ${flags.status}; key header ${flags.keyHeader}, correlation header ${flags.correlationHeader})\n`,
  );
  io.stdout.write(`  behind the fault proxy (faults: ${described}; seed ${seed}); the recorder itself: ${service.recorder.url}\n`);
  io.stdout.write(`  recorded calls: GET ${service.url}${CALLS_PATH}   (printed here on exit)\n`);
  if (flags.failAfterCommit > 0)
    io.stdout.write(`  the first ${flags.failAfterCommit} call(s) reach B (recorded), then the app gets ${formatFaultSpec(failure)}\n`);
  await new Promise<void>((resolve) => {
    const off = io.onSignal(() => {
      off();
      resolve();
    });
  });
  await service.close();
  const { recorder } = service;
  const calls = recorder.calls();
  io.stdout.write(`recorded ${calls.length} call(s)${recorder.dropped() > 0 ? ` (${recorder.dropped()} older ones forgotten)` : ''}\n`);
  io.stdout.write(formatFaultStats(service.proxy.stats()));
  for (const c of calls) io.stdout.write(`${formatCall(c)}\n`);
  return 0;
}
