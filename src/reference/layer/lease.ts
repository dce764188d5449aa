// Keeping a claim alive while its request is in flight. A lease shorter than the handler's run would
// otherwise expire mid-handler, let a retry claim the key again and execute it a second time.
//
// The keeper renews the lease every leaseMs/3 (an unref'd timer, so it never holds the process open)
// and tracks, conservatively, until when the claim is certainly still ours: the time the last
// successful renewal (or the claim itself) was *sent*, plus leaseMs. A renewal answering false means
// the claim is gone (expired, or re-claimed by someone else): the keeper stops and reports it once.
// A renewal that fails with a store error is retried on the next tick; once the conservative end of
// the lease has passed without a successful renewal, the claim counts as lost as well.
// Leases of 0 never expire (the `orphan-lock` flaw): nothing to renew, the claim is held for good.

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
}

/** Heartbeat period for a lease: a third of it, so two renewals may fail before it runs out. */
export function heartbeatIntervalMs(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3));
}

export class LeaseKeeper {
  readonly #leaseMs: number;
  readonly #renew: () => Promise<boolean>;
  readonly #onLost: (reason: string) => void;
  readonly #now: () => number;
  readonly #claimedAt: number;
  #heldUntil: number;
  #timer: NodeJS.Timeout | undefined;
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
  }

  /** Starts the heartbeat (no-op for a lease of 0). */
  start(): this {
    if (this.#leaseMs > 0 && !this.#stopped && this.#timer === undefined) {
      const interval = heartbeatIntervalMs(this.#leaseMs);
      this.#timer = setInterval(() => void this.#tick(), interval);
      this.#timer.unref();
      // A slow claim (a loaded database) may already have used a heartbeat period: renew at once.
      if (this.#now() - this.#claimedAt >= interval) void this.#tick();
    }
    return this;
  }

  /** Stops renewing; answers of renewals still under way are ignored. Idempotent. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
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
