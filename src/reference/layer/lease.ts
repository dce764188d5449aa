// Keeping a claim alive while its request is in flight. A lease shorter than the handler's run would
// otherwise expire mid-handler, let a retry claim the key again and execute it a second time.
//
// The keeper renews the lease at most a heartbeat period (leaseMs/3) after the claim or its last
// renewal attempt, so two renewals may fail before the lease runs out. It tracks, conservatively,
// until when the claim is certainly still ours: the time the last successful renewal (or the claim
// itself) was *sent*, plus leaseMs. A renewal answering false means the claim is gone (expired, or
// re-claimed by someone else): the keeper stops and reports it once. A renewal that fails with a
// store error is retried a period later; once the conservative end of the lease has passed without a
// successful renewal, the claim counts as lost as well.
// Leases of 0 never expire (the `orphan-lock` flaw): nothing to renew, the claim is held for good.
//
// The keepers of one layer share one timer (HeartbeatTicker) instead of one each: a timer per request
// was a Timeout allocated, linked and cleared per request for a renewal that almost never happens (a
// request takes milliseconds, the default period is 10 s). The shared timer ticks every quarter
// period and renews only the keepers whose last renewal (or claim) is at least 3/4 of a period old:
// renewals stay between 3/4 and 1 period apart, as with a timer of their own, and a short request is
// never renewed (a renewal racing the request's own completion could only produce a false alarm).

import { AsyncLocalStorage } from 'node:async_hooks';
import { MAX_TIMER_MS } from '../store/deadline.js';

export interface LeaseKeeperOptions {
  /** The lease begin() was given; 0 = never expires (no heartbeat). */
  leaseMs: number;
  /** When the claim was requested (ms, same clock as `now`): the lease runs from at least then. */
  claimedAt: number;
  /** One renewal: true = renewed for leaseMs from now, false = the claim is gone; rejects on store errors. */
  renew: () => Promise<boolean>;
  /** Called once, when the keeper learns the claim is lost. */
  onLost: (reason: string) => void;
  /** Clock in ms; default the global performance.now (tests fake it with the timers). */
  now?: () => number;
  /** The shared timer to join, built for the same leaseMs; default one of the keeper's own. */
  ticker?: HeartbeatTicker;
}

/** Heartbeat period for a lease: a third of it, so two renewals may fail before it runs out. */
export function heartbeatIntervalMs(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3));
}

/** A keeper renews once its last renewal attempt is this old (the ticker's period makes up the rest). */
function renewAfterMs(periodMs: number): number {
  return (periodMs * 3) / 4;
}

/**
 * One unref'd interval timer (a quarter of the heartbeat period) for the keepers of one lease length.
 * It runs while keepers are registered and stops at the first tick that finds none, so an idle layer
 * holds no timer and a steady stream of requests does not start and clear one per request.
 */
export class HeartbeatTicker {
  readonly intervalMs: number;
  readonly #keepers = new Set<LeaseKeeper>();
  /**
   * The context the ticker was built in (the layer's creation), to start the timer in: else the
   * timer, and every renewal of every later request, would run in (and keep alive) the async context
   * of whichever request happened to start it (its AsyncLocalStorage stores, tracing spans, claim).
   */
  readonly #outside = AsyncLocalStorage.snapshot();
  #timer: NodeJS.Timeout | undefined;
  /** The setInterval that made #timer: a test switching fake timers on or off replaces the global. */
  #madeBy: typeof setInterval | undefined;

  constructor(leaseMs: number) {
    // Capped: setInterval turns a delay beyond 2^31-1 ms (a lease of about 300 days) into 1 ms.
    this.intervalMs = Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(heartbeatIntervalMs(leaseMs) / 4)));
  }

  /** Registered keepers (tests and diagnostics). */
  get size(): number {
    return this.#keepers.size;
  }

  add(keeper: LeaseKeeper): void {
    this.#keepers.add(keeper);
    if (this.#timer !== undefined && this.#madeBy === setInterval) return;
    // None yet, or one from another timer implementation (it would never fire here): start one.
    this.#stop();
    this.#madeBy = setInterval;
    this.#timer = this.#outside(() => setInterval(() => this.#tick(), this.intervalMs));
    this.#timer.unref();
  }

  delete(keeper: LeaseKeeper): void {
    this.#keepers.delete(keeper);
  }

  /** Stops the timer now if no keeper is left (a keeper's private ticker, when it stops). */
  stopIfIdle(): void {
    if (this.#keepers.size === 0) this.#stop();
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#madeBy = undefined;
  }

  #tick(): void {
    if (this.#keepers.size === 0) return this.#stop();
    // A keeper that stops during the loop removes itself; Set iteration tolerates that.
    for (const keeper of this.#keepers) keeper.beat();
  }
}

export class LeaseKeeper {
  readonly #leaseMs: number;
  readonly #renew: () => Promise<boolean>;
  readonly #onLost: (reason: string) => void;
  readonly #now: () => number;
  readonly #claimedAt: number;
  readonly #ticker: HeartbeatTicker | undefined;
  readonly #ownTicker: boolean;
  readonly #renewAfterMs: number;
  #heldUntil: number;
  /** When the last renewal was sent (or the claim, before the first). */
  #lastAttemptAt: number;
  #joined = false;
  #renewing = false;
  #stopped = false;
  #lost = false;

  constructor(options: LeaseKeeperOptions) {
    this.#leaseMs = options.leaseMs > 0 && Number.isFinite(options.leaseMs) ? options.leaseMs : 0;
    this.#renew = options.renew;
    this.#onLost = options.onLost;
    this.#now = options.now ?? (() => performance.now());
    this.#claimedAt = options.claimedAt;
    this.#lastAttemptAt = options.claimedAt;
    this.#heldUntil = this.#leaseMs > 0 ? options.claimedAt + this.#leaseMs : Number.POSITIVE_INFINITY;
    this.#ownTicker = options.ticker === undefined;
    this.#ticker = this.#leaseMs > 0 ? (options.ticker ?? new HeartbeatTicker(this.#leaseMs)) : undefined;
    this.#renewAfterMs = renewAfterMs(heartbeatIntervalMs(this.#leaseMs));
  }

  /** Starts the heartbeat (no-op for a lease of 0). */
  start(): this {
    if (this.#ticker !== undefined && !this.#stopped && !this.#joined) {
      this.#joined = true;
      this.#ticker.add(this);
      // A slow claim (a loaded database) may already have used a heartbeat period: renew at once.
      if (this.#now() - this.#claimedAt >= heartbeatIntervalMs(this.#leaseMs)) void this.#attempt();
    }
    return this;
  }

  /** One tick of the shared timer: notices a lease that ran out, renews one that is due. */
  beat(): void {
    if (this.#renewing || this.#stopped) return;
    if (!this.held) return;
    if (this.#now() - this.#lastAttemptAt >= this.#renewAfterMs) void this.#attempt();
  }

  /** Stops renewing; answers of renewals still under way are ignored. Idempotent. */
  stop(): void {
    this.#stopped = true;
    if (!this.#joined) return;
    this.#joined = false;
    this.#ticker?.delete(this);
    if (this.#ownTicker) this.#ticker?.stopIfIdle();
  }

  /** True while the claim is (as far as we know) still ours: not reported lost and the lease not run out. */
  get held(): boolean {
    if (this.#lost) return false;
    if (this.#now() < this.#heldUntil) return true;
    this.#markLost('the lease ran out without a successful renewal');
    return false;
  }

  get lost(): boolean {
    return this.#lost;
  }

  #markLost(reason: string): void {
    if (this.#lost) return;
    this.#lost = true;
    const report = !this.#stopped;
    this.stop();
    if (report) this.#onLost(reason);
  }

  async #attempt(): Promise<void> {
    if (this.#renewing || this.#stopped) return;
    if (!this.held) return;
    this.#renewing = true;
    const sentAt = this.#now();
    this.#lastAttemptAt = sentAt;
    try {
      const renewed = await this.#renew();
      if (this.#stopped) return;
      if (renewed) this.#heldUntil = Math.max(this.#heldUntil, sentAt + this.#leaseMs);
      else this.#markLost('a lease renewal found the claim gone (expired or re-claimed)');
    } catch {
      // Store unavailable: try again a period later; `held` turns false once the lease has run out.
    } finally {
      this.#renewing = false;
    }
  }
}
