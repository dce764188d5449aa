// The proxy's side towards the upstream: undici, with one keep-alive pool per proxy. undici rather
// than node:http because it is the engine's client already (one set of error codes for
// net-error.ts), pools and pipelines connections without an Agent to tune, enforces header/body
// timeouts, and destroy() aborts every in-flight exchange at once, which is what close() needs.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import { UsageError } from '../core/errors.js';
import { filterRequestHeaders } from './headers.js';
import type { UpstreamResponse } from './types.js';

export interface UpstreamTarget {
  /** e.g. http://127.0.0.1:4000 */
  origin: string;
  /** Path the upstream lives under, without a trailing slash ("" for the root). */
  basePath: string;
}

export function parseUpstream(url: string): UpstreamTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`invalid upstream URL '${url}'`, 'use an absolute URL such as http://127.0.0.1:4000');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`upstream must be an http or https URL, got '${url}'`);
  }
  if (parsed.search || parsed.hash) throw new UsageError(`upstream URL must not have a query or fragment: '${url}'`);
  return { origin: parsed.origin, basePath: parsed.pathname.replace(/\/+$/, '') };
}

/** True when the client sent a body (a length or chunked framing); GET and friends usually do not. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Path and query of a request target; absolute-form targets (sent to proxies) lose their origin. */
function originForm(url: string | undefined): string {
  if (url === undefined || url === '') return '/';
  if (url.startsWith('/')) return url;
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return `/${url}`;
  }
}

export class UpstreamClient {
  readonly #agent: Agent;
  readonly #target: UpstreamTarget;

  constructor(target: UpstreamTarget, timeoutMs: number) {
    this.#target = target;
    this.#agent = new Agent({ keepAliveTimeout: 4_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: Math.min(timeoutMs, 10_000) } });
  }

  /** Sends `req`'s method, target and end-to-end headers with `body` (the client's stream when not buffered). */
  async send(req: IncomingMessage, body: Buffer | Readable | null): Promise<UpstreamResponse> {
    const headers = filterRequestHeaders(req.rawHeaders);
    const res = await this.#agent.request({
      origin: this.#target.origin,
      path: `${this.#target.basePath}${originForm(req.url)}`,
      method: req.method ?? 'GET',
      headers,
      body,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  /** The body to send when forwarding the client's stream as it arrives. */
  static streamBodyOf(req: IncomingMessage): Readable | null {
    return hasBody(req) ? req : null;
  }

  /** Aborts every in-flight upstream exchange and closes the pool. */
  async destroy(): Promise<void> {
    await this.#agent.destroy();
  }
}
