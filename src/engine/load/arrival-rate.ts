// Open-model executors (constant-arrival-rate, ramping-arrival-rate): requests start at the
// intended times of an arrival schedule whatever the answers take, so latency from the intended
// start shows queueing (GUIDE section 4, principle 7). When maxInFlight requests are outstanding a
// slot is dropped and counted (k6's dropped iterations) rather than queued without bound.
import type { Executor, ExecutorHost } from './executor.js';
import type { Flight } from './flight.js';
import type { ArrivalSchedule } from './schedule.js';

/** Requests dispatched per timer turn before yielding to I/O, so answers are read while catching up. */
export const MAX_BATCH = 256;

export class ArrivalRateExecutor implements Executor {
  readonly durationMs: number;
  #timer: unknown;

  constructor(
    private readonly host: ExecutorHost,
    readonly schedule: ArrivalSchedule,
    readonly maxInFlight: number,
  ) {
    this.durationMs = schedule.durationMs;
  }

  start(): void {
    this.#tick();
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    const h = this.host;
    if (h.schedulingDone) return;
    const schedule = this.schedule;
    const elapsed = h.clock.now() - h.origin;
    let budget = MAX_BATCH;
    let capped = false;
    while (h.slot < schedule.total) {
      const at = schedule.at(h.slot);
      if (at > elapsed) break;
      if (budget-- <= 0) {
        this.#timer = h.clock.setImmediate(this.#tick);
        return;
      }
      if (h.capReached()) {
        capped = true;
        break;
      }
      if (h.inFlight >= this.maxInFlight) {
        h.dropSlot();
        continue;
      }
      h.sendNext(h.origin + at, undefined, h.slot + 1 < schedule.total);
    }
    if (capped || h.slot >= schedule.total) {
      h.stopScheduling();
      h.maybeFinish();
      return;
    }
    this.#timer = h.clock.setTimeout(this.#tick, Math.max(0, schedule.at(h.slot) - (h.clock.now() - h.origin)));
  };

  answered(_f: Flight): void {
    if (this.host.schedulingDone) this.host.maybeFinish();
  }

  stop(): void {
    if (this.#timer === undefined) return;
    this.host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
