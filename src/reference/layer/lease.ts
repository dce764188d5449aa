// Keeping a claim alive while its request is in flight. A lease shorter than the handler's run would
// otherwise expire mid-handler, let a retry claim the key again and execute it a second time.
//
// The keeper renews the lease at least every leaseMs/3 and tracks, conservatively, until when the claim is certainly still ours: the time the last
// successful renewal (or the claim itself) was *sent*, plus leaseMs. A renewal answering false means
// the claim is gone (expired, or re-claimed by someone else): the keeper stops and reports it once.
// A renewal that fails with a store error is retried on the next tick; once the conservative end of
// the lease has passed without a successful renewal, the claim counts as lost as well.
// Leases of 0 never expire (the `orphan-lock` flaw): nothing to renew, the claim is held for good.
//
// The keepers of one layer share one heartbeat (HeartbeatTicker): a timer per request was a Timeout
// allocated, linked and cleared per request for a renewal that almost never happens (a request takes
// milliseconds, the default heartbeat is 10 s). The shared tick renews every keeper it finds, so a
// keeper's first renewal comes at most one period after it started, never later than with its own timer.

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
  /** The shared heartbeat to join, built for the same leaseMs; default one of the keeper's own. */
  ticker?: HeartbeatTicker;
}

/** Heartbeat period for a lease: a third of it, so two renewals may fail before it runs out. */
export function heartbeatIntervalMs(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3));
}

/**
 * One unref'd interval timer for every keeper of a lease length. It runs while keepers are registered
 * and stops at the first tick that finds none, so idle layers hold no timer and a steady stream of
 * requests does not start and clear one per request.
 */
export class HeartbeatTicker {
  readonly intervalMs: number;
  readonly #keepers = new Set<LeaseKeeper>();
  #timer: NodeJS.Timeout | undefined;

  constructor(leaseMs: number) {
    this.intervalMs = heartbeatIntervalMs(leaseMs);
  }

  /** Registered keepers (tests and diagnostics). */
  get size(): number {
    return this.#keepers.size;
  }

  /** True while the shared timer exists. */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  add(keeper: LeaseKeeper): void {
    this.#keepers.add(keeper);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#tick(), this.intervalMs);
      this.#timer.unref();
    }
  }

  delete(keeper: LeaseKeeper): void {
    this.#keepers.delete(keeper);
  }

  #tick(): void {
    if (this.#keepers.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
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
  #heldUntil: number;
  #ticking = false;
  #renewing = false;
  #stopped = false;
  #lost = false;

  constructor(options: LeaseKeeperOptions) {
    this.#leaseMs = options.leaseMs > 0 && Number.isFinite(options.leaseMs) ? options.leaseMs : 0;
    this.#renew = options.renew;
    this.#onLost = options.onLost;
    this.#now = options.now ?? (() => performance.now());
    this.#claimedAt = options.claimedAt;
    this.#heldUntil = this.#leaseMs > 0 ? options.claimedAt + this.#leaseMs : Number.POSITIVE_INFINITY;
    this.#ticker = this.#leaseMs > 0 ? (options.ticker ?? new HeartbeatTicker(this.#leaseMs)) : undefined;
    // A ticker of a longer lease would renew this one too rarely.
    if (this.#ticker !== undefined && this.#ticker.intervalMs > heartbeatIntervalMs(this.#leaseMs)) {
      throw new RangeError(`heartbeat every ${this.#ticker.intervalMs} ms is too slow for a ${this.#leaseMs} ms lease`);
    }
  }

  /** Starts the heartbeat (no-op for a lease of 0). */
  start(): this {
    if (this.#ticker !== undefined && !this.#stopped && !this.#ticking) {
      this.#ticking = true;
      this.#ticker.add(this);
      // A slow claim (a loaded database) may already have used a heartbeat period: renew at once.
      if (this.#now() - this.#claimedAt >= heartbeatIntervalMs(this.#leaseMs)) this.beat();
    }
    return this;
  }

  /** One heartbeat: renews unless a renewal is already under way (called by the ticker). */
  beat(): void {
    void this.#tick();
  }

  /** Stops renewing; answers of renewals still under way are ignored. Idempotent. */
  stop(): void {
    this.#stopped = true;
    if (this.#ticking) this.#ticker?.delete(this);
    this.#ticking = false;
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

  async #tick(): Promise<void> {
    if (this.#renewing || this.#stopped) return;
    if (!this.held) return;
    this.#renewing = true;
    const sentAt = this.#now();
    try {
      const renewed = await this.#renew();
      if (this.#stopped) return;
      if (renewed) this.#heldUntil = Math.max(this.#heldUntil, sentAt + this.#leaseMs);
      else this.#markLost('a lease renewal found the claim gone (expired or re-claimed)');
    } catch {
      // Store unavailable: try again on the next tick; `held` turns false once the lease has run out.
    } finally {
      this.#renewing = false;
    }
  }
}
