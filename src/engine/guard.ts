// Safety rails for audits of shared systems: a request cap, a rate cap, and a bail-out when the
// target is mostly answering 5xx. The guard owns the run's abort signal, so a tripped rail stops
// every check the same way Ctrl-C does, and the partial report says why.
import { UsageError } from '../core/errors.js';
import type { Exchange } from '../core/exchange.js';
import { sleep } from './sleep.js';

export interface GuardLimits {
  maxRequests: number;
  /** Requests per second; undefined = unlimited. */
  maxRate?: number;
  bailout: { rate: number; minRequests: number };
}

export type StopReason = 'interrupted' | `request cap of ${number} reached` | `bail-out: ${string}`;

export class RunGuard {
  readonly #controller = new AbortController();
  readonly #limits: GuardLimits;
  readonly #now: () => number;
  #sent = 0;
  #answered = 0;
  #serverErrors = 0;
  #nextSlot = 0;
  #reason: StopReason | undefined;

  constructor(limits: GuardLimits, now: () => number, parent?: AbortSignal) {
    this.#limits = limits;
    this.#now = now;
    if (parent) {
      if (parent.aborted) this.stop('interrupted');
      else parent.addEventListener('abort', () => this.stop('interrupted'), { once: true });
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Why the run stopped early, if it did. */
  get reason(): StopReason | undefined {
    return this.#reason;
  }

  get sent(): number {
    return this.#sent;
  }

  stop(reason: StopReason): void {
    if (this.#reason) return;
    this.#reason = reason;
    this.#controller.abort(new Error(reason));
  }

  /**
   * Ask to send `n` requests. Waits for the rate cap; answers a refusal reason when the run is
   * stopping or the cap would be passed, in which case nothing may be sent.
   */
  async admit(n = 1): Promise<string | undefined> {
    if (this.#reason) return `not sent: ${this.#reason}`;
    if (this.#sent + n > this.#limits.maxRequests) {
      this.stop(`request cap of ${this.#limits.maxRequests} reached`);
      return `not sent: ${this.#reason}`;
    }
    this.#sent += n;
    if (this.#limits.maxRate) {
      // Slots are reserved at admission, so concurrent callers queue instead of bunching up.
      const spacing = (1000 * n) / this.#limits.maxRate;
      const slot = Math.max(this.#nextSlot, this.#now());
      this.#nextSlot = slot + spacing;
      await sleep(slot - this.#now(), this.#controller.signal);
      // stop() may have run during the sleep (TypeScript keeps the narrowing from above).
      const stopped = this.#reason as StopReason | undefined;
      if (stopped) return `not sent: ${stopped}`;
    }
    return undefined;
  }

  /** Watch every answer; too many 5xx means the target is in trouble and the audit must back off. */
  observe(e: Exchange): void {
    if (!e.response) return;
    this.#answered += 1;
    if (e.response.status >= 500) this.#serverErrors += 1;
    const { rate, minRequests } = this.#limits.bailout;
    if (this.#answered >= minRequests && this.#serverErrors / this.#answered > rate) {
      this.stop(`bail-out: ${this.#serverErrors} of ${this.#answered} answers were 5xx (limit ${Math.round(rate * 100)}%)`);
    }
  }
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?|::ffff:127(?:\.\d{1,3}){3})$/i;

export function isLoopback(hostname: string): boolean {
  return LOOPBACK.test(hostname.replace(/^\[|\]$/g, ''));
}

/** A non-loopback target must be allowed by name (host or host:port). */
export function hostAllowed(url: URL, allowed: string[]): boolean {
  if (isLoopback(url.hostname)) return true;
  const host = url.hostname.toLowerCase();
  return allowed.some((a) => {
    const entry = a.toLowerCase();
    return entry === host || entry === url.host.toLowerCase();
  });
}

/** Refuse non-loopback targets nobody named: an audit fires hundreds of mutations. */
export function assertTargetAllowed(target: string, allowed: string[], what = 'target'): void {
  if (target === 'self') return;
  const url = parseTargetUrl(target, what);
  if (!hostAllowed(url, allowed)) {
    throw new UsageError(
      `${what} host ${url.host} is not loopback and not allowed`,
      `name it in the scenario's allowHosts or pass --allow-host ${url.hostname}`,
    );
  }
}

/** An http(s) URL, or a usage error naming the flag or field (a bad port or `http://[::1` is the user's, not an internal error). */
export function parseTargetUrl(text: string, what = 'target'): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `${what} '${safeUrlText(text)}' is not a valid URL`,
      'give an http(s) URL with a host and a port between 1 and 65535, e.g. http://127.0.0.1:4000',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${what} '${safeUrlText(text)}' is not an http(s) URL`);
  return url;
}

/** A URL as text for a message, with any user:password removed even when it does not parse. */
export function safeUrlText(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}
