// `idemaudit downstream`: one downstream recorder (a fake service B) in the foreground until
// SIGINT/SIGTERM. Point the app under audit at it (an environment variable of the app), then read
// what it recorded at GET <url>/_downstream/calls, or from the lines printed when it stops.
import { UsageError } from '../../core/errors.js';
import { CALLS_PATH, startDownstreamRecorder, type FailureMode, type RecordedCall } from '../../downstream/index.js';
import { sanitizeLine } from '../../report/sanitize.js';
import type { CliIO } from '../io.js';

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
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** One line per recorded call: what a developer reads to follow the evidence. */
export function formatCall(c: RecordedCall): string {
  return sanitizeLine(
    `#${c.seq} ${new Date(c.arrivedAt).toISOString()} ${c.method} ${c.path} key=${c.key ?? '-'} correlation=${c.correlationId ?? '-'} body-sha256=${c.bodySha256.slice(0, 16)} answer=${c.answer}`,
  );
}

export async function downstreamCommand(flags: DownstreamFlags, io: CliIO): Promise<number> {
  if (!LOOPBACK.has(flags.host)) throw new UsageError(`--host ${flags.host}: the recorder listens on loopback only`, 'use 127.0.0.1 (the default) or ::1');
  if (flags.status < 200 || flags.status > 599) throw new UsageError(`--status ${flags.status}: expected an HTTP status from 200 to 599`);
  if (flags.failStatus < 500 || flags.failStatus > 599) throw new UsageError(`--fail-status ${flags.failStatus}: expected a 5xx status`);
  if (flags.maxCalls < 1) throw new UsageError('--max-calls must be at least 1');
  const recorder = await startDownstreamRecorder({
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
  }).catch((err: unknown) => {
    throw new UsageError(`cannot listen on ${flags.host}:${flags.port} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  });
  if (flags.failAfterCommit > 0) {
    const mode: FailureMode = flags.failMode === 'drop' ? { kind: 'drop' } : { kind: 'status', status: flags.failStatus };
    recorder.failNext(mode, flags.failAfterCommit);
  }
  io.stdout.write(
    `downstream recorder listening on ${recorder.url} (answers ${flags.status}; key header ${flags.keyHeader}, correlation header ${flags.correlationHeader})\n`,
  );
  io.stdout.write(`  recorded calls: GET ${recorder.url}${CALLS_PATH}   (printed here on exit)\n`);
  if (flags.failAfterCommit > 0)
    io.stdout.write(
      `  the first ${flags.failAfterCommit} call(s) are recorded, then ${flags.failMode === 'drop' ? 'cut off' : `answered ${flags.failStatus}`}\n`,
    );
  await new Promise<void>((resolve) => {
    const off = io.onSignal(() => {
      off();
      resolve();
    });
  });
  await recorder.close();
  const calls = recorder.calls();
  io.stdout.write(`recorded ${calls.length} call(s)${recorder.dropped() > 0 ? ` (${recorder.dropped()} older ones forgotten)` : ''}\n`);
  for (const c of calls) io.stdout.write(`${formatCall(c)}\n`);
  return 0;
}
