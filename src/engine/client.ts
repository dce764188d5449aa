// The audit's HTTP client: undici with keep-alive, a per-request timeout, bodies read under a cap,
// a gate (safety rails, dry runs) in front of every request, and every exchange handed to one sink
// (latency, evidence, events) as it completes. Redirects are never followed.
import { Agent, request } from 'undici';
import type { RunClock } from './clock.js';
import { type Exchange, type IncomingResponse, type OutgoingRequest } from '../core/exchange.js';
import { CappedReader } from './read-capped.js';
import { describeNetError } from './net-error.js';

export interface ExchangeMeta {
  label: string;
  endpoint: string;
  tenant?: string;
  key?: string;
}

export type ExchangeSink = (e: Exchange) => void;

/** Decides whether requests may go out; a returned reason means "not sent" (cap, bail-out, dry run). */
export type RequestGate = (requests: OutgoingRequest[], metas: ExchangeMeta[]) => Promise<string | undefined>;

export interface TlsOptions {
  /** Extra CA certificates (PEM) to trust. */
  ca?: string;
  /** Accept any certificate (self-signed staging hosts). */
  insecure?: boolean;
  /** Path of the file `ca` was read from, printed in curl reproductions (`--cacert`); never read here. */
  caFile?: string;
}

export interface ClientOptions {
  clock: RunClock;
  timeoutMs: number;
  sink: ExchangeSink;
  signal?: AbortSignal;
  gate?: RequestGate;
  tls?: TlsOptions;
  /** Response bytes kept per exchange (default 1 MiB). */
  maxBodyBytes?: number;
  /** Connections per origin; bursts use their own sockets (see burst.ts). */
  connections?: number;
}

export function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    out[lower] = Array.isArray(value) ? value.join(lower === 'set-cookie' ? '\n' : ', ') : value;
  }
  return out;
}

export function tlsConnectOptions(tls: TlsOptions | undefined): { ca?: string; rejectUnauthorized?: boolean } {
  return { ...(tls?.ca ? { ca: tls.ca } : {}), ...(tls?.insecure ? { rejectUnauthorized: false } : {}) };
}

export class AuditClient {
  readonly #agent: Agent;
  readonly #opts: ClientOptions;
  #seq = 0;

  constructor(opts: ClientOptions) {
    this.#opts = opts;
    this.#agent = new Agent({
      connections: opts.connections ?? 16,
      keepAliveTimeout: 4_000,
      connect: { timeout: opts.timeoutMs, ...tlsConnectOptions(opts.tls) },
    });
  }

  get clock(): RunClock {
    return this.#opts.clock;
  }

  nextSeq(): number {
    return ++this.#seq;
  }

  /** Send one request and record it; network failures become an exchange with `error`, never a throw. */
  async send(req: OutgoingRequest, meta: ExchangeMeta, timeoutMs = this.#opts.timeoutMs): Promise<Exchange> {
    const refused = await this.#opts.gate?.([req], [meta]);
    if (refused !== undefined) {
      return { seq: this.nextSeq(), ...meta, request: req, startedAt: this.#opts.clock.now(), durationMs: 0, error: refused };
    }
    const seq = this.nextSeq();
    const startedAt = this.#opts.clock.now();
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = this.#opts.signal ? AbortSignal.any([this.#opts.signal, timeout]) : timeout;
    let response: IncomingResponse | undefined;
    let error: string | undefined;
    try {
      const res = await request(req.url, {
        method: req.method as 'POST',
        headers: req.headers,
        body: req.body ?? null,
        signal,
        dispatcher: this.#agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      // Bounded memory: the prefix is kept, the rest hashed; the timeout bounds the time.
      const body = new CappedReader(this.#opts.maxBodyBytes ?? 1_048_576);
      for await (const chunk of res.body) body.push(chunk as Buffer);
      response = { status: res.statusCode, headers: flattenHeaders(res.headers), ...body.finish() };
    } catch (err) {
      error = timeout.aborted && !this.#opts.signal?.aborted ? `timeout after ${timeoutMs} ms` : describeNetError(err);
    }
    const exchange: Exchange = { seq, ...meta, request: req, startedAt, durationMs: this.#opts.clock.now() - startedAt };
    if (response) exchange.response = response;
    if (error !== undefined) exchange.error = error;
    this.#opts.sink(exchange);
    return exchange;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
