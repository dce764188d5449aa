// One request of a load run, and at the same time its undici dispatch handler (the lean legacy
// handler interface: onConnect/onHeaders/onData/onComplete/onError, which undici calls directly).
// No promise, no closure and no per-request array survives the request: a Flight is garbage as soon
// as the engine has recorded it.
import { REPLAY_MARKERS } from '../../core/replay-marker.js';
import type { SlotKind } from './mix.js';

/** What a Flight reports to; implemented by LoadEngine (and by fakes in tests). */
export interface FlightSink {
  complete(f: Flight): void;
}

/** An in-flight duplicate and its original, judged together once both answered. */
export interface Pair {
  original: Flight;
  twin: Flight;
  pending: number;
}

/** A completed original remembered (bounded ring) so later replays can be compared with it. */
export interface Tracked {
  slot: number;
  key: string;
  requestBody: Buffer | undefined;
  status: number;
  body: Buffer;
  rawHeaders: Buffer[] | undefined;
  sentAt: number;
  durationMs: number;
}

/** A virtual user of the closed model: sends its next request when its current ones are answered. */
export interface Vu {
  pending: number;
}

const MARKER_LENGTHS = new Set(REPLAY_MARKERS.map((m) => m.length));
/** Response bytes a flight keeps (duplicate comparison, samples). */
export const MAX_KEPT_BODY = 1 << 20;

/** Whether raw response headers carry a replay marker set to true (or the sf-boolean ?1). */
export function hasReplayMarker(raw: readonly Buffer[] | readonly string[]): boolean {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (!MARKER_LENGTHS.has(name.length)) continue;
    if (!REPLAY_MARKERS.includes(name.toString().toLowerCase())) continue;
    const value = raw[i + 1]!.toString().trim().toLowerCase();
    if (value === 'true' || value === '?1') return true;
  }
  return false;
}

export class Flight {
  status = 0;
  marked = false;
  error: Error | undefined;
  /** Response body, collected only when `keep` is set. */
  body: Buffer | undefined;
  rawHeaders: Buffer[] | undefined;
  sentAt = 0;
  pair: Pair | undefined;
  /** The original a replay reuses the key of. */
  entry: Tracked | undefined;
  vu: Vu | undefined;
  /** Reservoir slot when this request is part of the exchange sample, else -1. */
  sample = -1;
  /** The connection the transport gave this request (transport-private). */
  conn: unknown;
  done = false;

  constructor(
    readonly sink: FlightSink,
    readonly slot: number,
    readonly kind: SlotKind,
    readonly key: string,
    readonly requestBody: Buffer | undefined,
    /** Intended start, ms on the run clock. */
    readonly intended: number,
    /** Collect headers and body (duplicate checking, samples). */
    public keep: boolean,
  ) {}

  onConnect(): void {}

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    if (statusCode >= 200 && statusCode < 300) this.marked = hasReplayMarker(rawHeaders);
    if (this.keep) this.rawHeaders = rawHeaders;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (!this.keep) return true;
    if (this.body === undefined) this.body = chunk;
    // Bodies are kept to compare duplicates with their originals; beyond 1 MiB the prefix has to do.
    else if (this.body.length < MAX_KEPT_BODY) this.body = Buffer.concat([this.body, chunk]).subarray(0, MAX_KEPT_BODY);
    return true;
  }

  onComplete(): void {
    this.sink.complete(this);
  }

  onError(err: Error): void {
    this.error = err;
    this.sink.complete(this);
  }
}
