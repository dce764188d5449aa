// The pacing half of a load run, one file per executor: an executor decides WHEN the next slot is
// sent (an arrival schedule, or a virtual user whose previous answer arrived) and tells the run
// core to send it; the core (engine.ts) owns sending, recording, judging and ending. Executors keep
// the hot path allocation-free: no closure or promise per request, only the core's Flight.
import type { LoadClock } from './clock.js';
import type { Flight, Vu } from './flight.js';
import type { ArrivalSchedule } from './schedule.js';

/** What an executor drives: the run core. Implemented by LoadEngine. */
export interface ExecutorHost {
  readonly clock: LoadClock;
  /** Run-clock time (ms) the run started at. */
  readonly origin: number;
  /** The next slot's index (fresh, replay and in-flight twin each take one). */
  readonly slot: number;
  readonly sent: number;
  readonly inFlight: number;
  /** Whether scheduling has ended (duration, cap, bail-out, abort). */
  readonly schedulingDone: boolean;
  /** The run's request cap is reached: marks the run capped and returns true. */
  capReached(): boolean;
  /** Send the next slot (and its in-flight twin when the mix says so and `canPair`). */
  sendNext(intended: number, vu: Vu | undefined, canPair: boolean): void;
  /** Count the next slot as dropped (the open model's in-flight cap) without sending it. */
  dropSlot(): void;
  /** No more slots will be sent; the run ends once nothing is in flight (or after the grace period). */
  stopScheduling(): void;
  /** End the run now if scheduling is done and nothing is in flight. */
  maybeFinish(): void;
}

export interface Executor {
  /** Planned length of the run (ms). */
  readonly durationMs: number;
  /** The arrival schedule of an open-model executor. */
  readonly schedule: ArrivalSchedule | undefined;
  /** Most requests outstanding at once (open model), else infinite. */
  readonly maxInFlight: number;
  start(): void;
  /** A request this executor paced has been answered and recorded. */
  answered(f: Flight): void;
  /** Clear timers (scheduling ended or the run finished); idempotent. */
  stop(): void;
}
