// Closed-model executor (constant-connections): N virtual users, each sending its next request
// when its current ones are answered, until the duration ends. Latency is measured from the send
// (there is no schedule to fall behind).
import type { Executor, ExecutorHost } from './executor.js';
import type { Flight, Vu } from './flight.js';

export class ConstantConnectionsExecutor implements Executor {
  readonly schedule = undefined;
  readonly maxInFlight = Number.POSITIVE_INFINITY;
  #timer: unknown;
  #liveVus = 0;

  constructor(
    private readonly host: ExecutorHost,
    readonly connections: number,
    readonly durationMs: number,
  ) {}

  start(): void {
    const h = this.host;
    this.#liveVus = this.connections;
    // The run ends at its duration even if no answer ever arrives.
    this.#timer = h.clock.setTimeout(() => {
      this.#timer = undefined;
      h.stopScheduling();
      h.maybeFinish();
    }, this.durationMs);
    for (let i = 0; i < this.connections; i++) this.#next({ pending: 0 });
  }

  #next(vu: Vu): void {
    // The end of the duration is the timer set in start() (it ends scheduling): no clock read here.
    const h = this.host;
    if (h.schedulingDone || h.capReached()) {
      this.#liveVus -= 1;
      if (this.#liveVus <= 0) h.stopScheduling();
      h.maybeFinish();
      return;
    }
    h.sendNext(h.clock.now(), vu, true);
  }

  answered(f: Flight): void {
    if (f.vu && --f.vu.pending === 0) this.#next(f.vu);
  }

  stop(): void {
    if (this.#timer === undefined) return;
    this.host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
