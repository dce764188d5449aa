// What a fault is: a named, validated spec plus one function that takes over a request the proxy
// decided to inject it into. The proxy owns matching, dice rolls, stats and events; a fault only
// decides what the client and the upstream see, through the helpers of its FaultContext.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { z } from 'zod';

export { FaultMatchSchema, faultSpecBase, type FaultMatch } from '../scenario/fault-specs.js';
import type { FaultMatch } from '../scenario/fault-specs.js';

export interface FaultSpecBase {
  name: string;
  probability: number;
  match?: FaultMatch | undefined;
}

/** Emitted once per injected fault, when the fault acts on the exchange. */
export interface FaultEvent {
  fault: string;
  method: string;
  /** Path and query as the client sent them. */
  path: string;
  /** The Idempotency-Key header exactly as received, when there was one. */
  key?: string;
  /** Epoch milliseconds. */
  at: number;
  /** What the upstream answered before the fault took over (two entries for duplicate-upstream). */
  upstreamStatuses?: number[];
  /** The delay a latency fault applied. */
  delayMs?: number;
}

export type FaultEventDetail = Pick<FaultEvent, 'upstreamStatuses' | 'delayMs'>;

/** An upstream answer whose body has not been read yet. */
export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

export interface FaultContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** This spec's own generator, for option draws such as jitter (decisions use another one). */
  readonly rng: { next(): number };
  /** Upper bound for anything the fault buffers (request or response bodies). */
  readonly maxBufferBytes: number;
  /** Records that the fault acted now; the first call emits the event, later calls do nothing. */
  emit(detail?: FaultEventDetail): void;
  /** The client's request body, read once and kept (bounded by maxBufferBytes). */
  readBody(): Promise<Buffer>;
  /** Sends the request upstream: the buffered body when given, else the client's body streamed. */
  sendUpstream(body?: Buffer): Promise<UpstreamResponse>;
  /** Reads an upstream body to the end and discards it: the upstream has then finished completely. */
  drain(response: UpstreamResponse): Promise<void>;
  /** Reads an upstream body to the end into memory (bounded by maxBufferBytes). */
  collect(response: UpstreamResponse): Promise<Buffer>;
  /** Streams an upstream response to the client, minus hop-by-hop headers (the transparent path). */
  pipe(response: UpstreamResponse): Promise<void>;
  /** Forwards the whole exchange transparently. */
  forward(): Promise<void>;
  /**
   * Waits `ms`; true when the time ran out, false when the proxy closed first (or, with
   * `untilClientGone`, when the client went away first).
   */
  wait(ms: number, options?: { untilClientGone?: boolean }): Promise<boolean>;
  /** Aborts the client connection with a TCP reset, without an HTTP answer. */
  reset(): void;
  /** Closes the client connection (FIN) without an HTTP answer. */
  hangUp(): void;
}

export interface Fault<S extends FaultSpecBase = FaultSpecBase> {
  readonly name: S['name'];
  /** One line, for `idemaudit list faults` and the proxy banner. */
  readonly description: string;
  /** Validates a spec of this fault, filling defaults (a strict object: unknown options are errors). */
  readonly schema: z.ZodType<S, any>;
  /** Takes over one request; rejecting makes the proxy answer 502 (or drop the connection if already answering). */
  inject(ctx: FaultContext, spec: S): Promise<void>;
}

/** Keeps the literal name and option types, so the registry and the union schema derive from the entries. */
export function defineFault<S extends FaultSpecBase>(fault: Fault<S>): Fault<S> {
  return fault;
}
