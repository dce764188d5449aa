// The run core of a load test: sends the slots an executor paces (arrival-rate.ts: an open-model
// schedule; constant-connections.ts: closed-model virtual users), mixes fresh keys with duplicates,
// records latency by outcome, and judges duplicates against their originals as the answers arrive
// (duplicate-judge.ts decides, this file counts). Memory is O(1) in the number of requests:
// counters, histograms, a bounded ring of recent originals, bounded samples and evidence; nothing
// per request outlives the request.
import type { Exchange } from '../../core/exchange.js';
import { describeNetError } from '../net-error.js';
import { createRng, type Rng } from '../../core/rng.js';
import type { LoadClock } from './clock.js';
import { claimWinner, isOk, judgeDuplicate } from './duplicate-judge.js';
import { flightExchange, statusRecord, trackedExchange, type EvidenceContext } from './evidence.js';
import type { Executor, ExecutorHost } from './executor.js';
import { createExecutor } from './executors.js';
import { Flight, type FlightSink, type Pair, type Tracked, type Vu } from './flight.js';
import { TrafficMix, type SlotKind } from './mix.js';
import { errorOutcome, statusOutcomeTable } from './outcomes.js';
import { Reservoir } from './reservoir.js';
import { LoadStats, O_ERROR, O_FIRST, O_REPLAY, O_TIMEOUT } from './stats.js';
import type { Transport } from './transport.js';
import type { EvidencePair, LoadOptions, LoadProgress, LoadResult } from './types.js';

export { scheduleFor } from './executors.js';

/** How long after the last send the run waits for answers beyond the request timeout. */
const GRACE_MS = 2000;
export const MAX_EVIDENCE = 3;
export const MAX_ERROR_KINDS = 20;
export const DUPLICATED_KEYS_SAMPLE = 16;
/** Exchanges kept as a uniform sample of the run unless the options say otherwise. */
export const DEFAULT_SAMPLE_SIZE = 200;
/**
 * Open model: a request that left more than this after its intended start (the generator fell
 * behind, or it waited for a free connection) counts as late. Its latency is still measured from
 * the intended start; the count says how much of the run was not sent on schedule.
 */
export const LATE_MS = 5;
const EMPTY = Buffer.alloc(0);

/**
 * The key prefix of a whole run (every shard and worker of it makes its keys under this one): the
 * declared prefix, or one derived from the seed so that the same seed gives the same keys.
 */
export function runKeyPrefix(options: Pick<LoadOptions, 'keyPrefix' | 'seed'>): string {
  return options.keyPrefix ?? `ia-load-${createRng(`${options.seed}/load`).fork('prefix').hex(4)}-`;
}

/** The prefix one runner's keys share (its shard's, if sharded): the common prefix of its workers' keys. */
export function runnerKeyPrefix(options: Pick<LoadOptions, 'keyPrefix' | 'seed' | 'shard'>): string {
  const shard = options.shard && options.shard.count > 1 ? options.shard : undefined;
  const base = runKeyPrefix(options);
  return shard ? `${base}${shard.index}.` : base;
}

/** Why a key prefix cannot be used, or undefined. Keys must survive sf-string quoting unescaped. */
export function keyPrefixProblem(prefix: string): string | undefined {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(prefix) ? undefined : `key prefix '${prefix}' must be 1-64 characters of A-Z a-z 0-9 _ . -`;
}

export class LoadEngine implements FlightSink, ExecutorHost {
  readonly stats = new LoadStats();
  readonly #o: LoadOptions;
  readonly #transport: Transport;
  readonly clock: LoadClock;
  readonly #rng: Rng;
  readonly #mix: TrafficMix;
  readonly #executor: Executor;
  readonly #maxInFlight: number;
  readonly #tracking: boolean;
  readonly #outcomeOf: Uint8Array;
  readonly #prefix: string;
  readonly #shard: { index: number; count: number } | undefined;
  readonly #samples: Reservoir<Exchange>;
  readonly #dupKeys: Reservoir<string>;
  readonly #ring: Tracked[] = [];
  readonly #ringSize: number;
  #ringNext = 0;

  origin = 0;
  slot = 0;
  #fresh = 0;
  sent = 0;
  completed = 0;
  inFlight = 0;
  dropped = 0;
  /** Open model: requests sent more than LATE_MS after their intended start, and the worst lag (ms). */
  late = 0;
  #maxLag = 0;
  schedulingDone = false;
  #capped = false;
  #aborted = false;
  #bad = 0;
  #stoppedEarly: string | undefined;
  #firstSend = -1;
  #lastDone = 0;
  #grace: unknown;
  #progressTimer: unknown;
  #lastProgress = { at: 0, completed: 0 };
  #finished = false;
  #resolve: (() => void) | undefined;
  readonly kinds: Record<SlotKind, number> = { fresh: 0, replay: 0, inflight: 0 };
  /** Answers per status code (index = status, 0..999). */
  readonly #statusCounts = new Uint32Array(1000);
  readonly errors = new Map<string, number>();
  readonly dup = { replaysCompared: 0, pairsCompared: 0, identityDuplicates: 0, replayMismatches: 0, unexplainedDifferences: 0 };
  readonly evidence: LoadResult['evidence'] = { identity: [], mismatch: [], unexplained: [] };

  constructor(options: LoadOptions, transport: Transport, clock: LoadClock) {
    this.#o = options;
    this.#transport = transport;
    this.clock = clock;
    const shard = options.shard && options.shard.count > 1 ? options.shard : undefined;
    if (shard && !(Number.isInteger(shard.index) && shard.index >= 0 && shard.index < shard.count)) {
      throw new RangeError(`shard ${shard.index}/${shard.count} is out of range`);
    }
    this.#shard = shard;
    const worker = options.worker && options.worker.count > 1 ? options.worker : undefined;
    if (worker && !(Number.isInteger(worker.index) && worker.index >= 0 && worker.index < worker.count)) {
      throw new RangeError(`worker ${worker.index}/${worker.count} is out of range`);
    }
    // The same seed on every shard and worker; the mix and samples of each are its own draw.
    const stream = `${shard ? `${options.seed}/load/${shard.index}/${shard.count}` : `${options.seed}/load`}${worker ? `/w${worker.index}/${worker.count}` : ''}`;
    this.#rng = createRng(stream);
    const mixRng = this.#rng.fork('mix');
    this.#mix = new TrafficMix({ duplicates: options.duplicates, inFlight: options.inFlightDuplicates }, () => mixRng.next());
    this.#executor = createExecutor(options.executor, this, shard, worker);
    this.#maxInFlight = this.#executor.maxInFlight;
    this.#tracking = options.duplicates > 0;
    // One prefix for the run (from the seed), then the shard's own, then the worker's: the key
    // spaces of shards, and of the workers inside a shard, are disjoint.
    const runner = runnerKeyPrefix(options);
    this.#prefix = worker ? `${runner}w${worker.index}.` : runner;
    const problem = keyPrefixProblem(this.#prefix);
    if (problem) throw new RangeError(problem);
    this.#ringSize = options.trackSize ?? 256;
    const sampleRng = this.#rng.fork('sample');
    this.#samples = new Reservoir<Exchange>(options.sampleSize ?? DEFAULT_SAMPLE_SIZE, () => sampleRng.next());
    this.#dupKeys = new Reservoir<string>(DUPLICATED_KEYS_SAMPLE, () => sampleRng.next());
    this.#outcomeOf = statusOutcomeTable(options.statuses);
  }

  /** Exchanges and duplicated keys the sample reservoirs were offered (to weigh them when workers' samples merge). */
  get reservoirsSeen(): { samples: number; duplicatedKeys: number } {
    return { samples: this.#samples.seen, duplicatedKeys: this.#dupKeys.seen };
  }

  /** Run to the end of the schedule (or maxRequests, or the signal); resolves once every answer is in. */
  run(): Promise<LoadResult> {
    return new Promise<void>((resolve) => {
      this.#resolve = resolve;
      const signal = this.#o.signal;
      if (signal?.aborted) return this.#abort();
      signal?.addEventListener('abort', this.#onAbort, { once: true });
      this.origin = this.clock.now();
      this.#lastProgress = { at: this.origin, completed: 0 };
      if (this.#o.onProgress) this.#progressTimer = this.clock.setInterval(this.#emitProgress, this.#o.progressIntervalMs ?? 1000);
      this.#executor.start();
    }).then(() => this.#result());
  }

  readonly #onAbort = (): void => this.#abort();

  #abort(): void {
    if (this.#finished) return;
    this.#aborted = true;
    this.stopScheduling();
    void this.#transport.destroy().finally(() => this.#finish());
  }

  // -------------------------------------------------------------------------------------------
  // Executor host

  capReached(): boolean {
    if (this.sent < this.#o.maxRequests) return false;
    this.#capped = true;
    return true;
  }

  dropSlot(): void {
    // The target (or the generator) cannot keep up: like k6's dropped iterations, the slot is
    // counted and skipped rather than queued without bound.
    this.dropped += 1;
    this.#mix.next();
    this.slot += 1;
  }

  /** Sends the next slot (and its in-flight twin, if the mix says so). */
  sendNext(intended: number, vu: Vu | undefined, canPair: boolean): void {
    let kind = this.#mix.next();
    if (kind === 'inflight') kind = 'replay'; // a twin is only ever sent with its original, below
    let entry: Tracked | undefined;
    if (kind === 'replay') {
      entry = this.#pick();
      if (!entry) {
        kind = 'fresh';
        this.#mix.correct('fresh');
      }
    }
    if (kind === 'fresh') {
      const n = ++this.#fresh;
      const key = this.#prefix + n.toString(36);
      const body = this.#o.template.body(n, key);
      const original = this.#flight('fresh', key, body, intended, vu);
      const twin = canPair && this.#mix.peek() === 'inflight' && this.sent + 1 < this.#o.maxRequests && this.inFlight + 1 < this.#maxInFlight;
      if (!twin) {
        this.slot += 1;
        this.#send(original);
        return;
      }
      this.#mix.next();
      const second = this.#flight('inflight', key, body, intended, vu);
      const pair: Pair = { original, twin: second, pending: 2 };
      original.pair = pair;
      second.pair = pair;
      original.keep = true;
      second.keep = true;
      this.slot += 2;
      this.#dupKeys.offer(key);
      this.#send(original);
      this.#send(second);
      return;
    }
    const f = this.#flight('replay', entry!.key, entry!.requestBody, intended, vu);
    f.entry = entry;
    f.keep = true;
    this.#dupKeys.offer(entry!.key);
    this.slot += 1;
    this.#send(f);
  }

  #flight(kind: SlotKind, key: string, body: Buffer | undefined, intended: number, vu: Vu | undefined): Flight {
    const f = new Flight(this, this.slot + (kind === 'inflight' ? 1 : 0), kind, key, body, intended, this.#tracking);
    f.sample = this.#samples.claim();
    if (f.sample >= 0) f.keep = true;
    if (vu) {
      f.vu = vu;
      vu.pending += 1;
    }
    this.kinds[kind] += 1;
    return f;
  }

  #send(f: Flight): void {
    this.sent += 1;
    this.inFlight += 1;
    const now = this.clock.now();
    f.sentAt = now;
    if (this.#firstSend < 0) this.#firstSend = now;
    this.#transport.send(f);
  }

  #pick(): Tracked | undefined {
    const n = this.#ring.length;
    return n === 0 ? undefined : this.#ring[Math.floor(this.#rng.next() * n)];
  }

  // -------------------------------------------------------------------------------------------
  // Answers

  complete(f: Flight): void {
    if (f.done) return;
    f.done = true;
    const end = this.clock.now();
    this.#transport.done(f);
    this.inFlight -= 1;
    this.completed += 1;
    this.#lastDone = end;
    let outcome: number;
    if (f.error) {
      outcome = errorOutcome(f.error);
      this.#countError(f.error);
    } else {
      const s = f.status < 1000 ? f.status : 999;
      this.#statusCounts[s]! += 1;
      outcome = this.#outcomeOf[s]!;
      if (outcome === O_FIRST && (f.marked || f.kind !== 'fresh')) outcome = O_REPLAY;
    }
    this.stats.record(outcome, end - f.intended, end - f.sentAt);
    const lag = f.sentAt - f.intended;
    if (lag > LATE_MS) {
      this.late += 1;
      if (lag > this.#maxLag) this.#maxLag = lag;
    }
    if (outcome === O_ERROR || outcome === O_TIMEOUT) this.#checkBailout();
    if (f.keep) this.#judge(f, end);
    this.#executor.answered(f);
  }

  #checkBailout(): void {
    this.#bad += 1;
    const b = this.#o.bailout;
    if (!b || this.schedulingDone || this.completed < b.minRequests || this.#bad / this.completed <= b.rate) return;
    this.#stoppedEarly = `bail-out: ${this.#bad} of ${this.completed} answers were errors, timeouts or 5xx (limit ${Math.round(b.rate * 100)}%)`;
    this.stopScheduling();
    this.maybeFinish();
  }

  #countError(err: Error): void {
    const reason = describeNetError(err);
    const known = this.errors.get(reason);
    if (known !== undefined) this.errors.set(reason, known + 1);
    else if (this.errors.size < MAX_ERROR_KINDS) this.errors.set(reason, 1);
    else this.errors.set('other', (this.errors.get('other') ?? 0) + 1);
  }

  /** Duplicate bookkeeping and samples; only for flights that kept their answer. */
  #judge(f: Flight, end: number): void {
    if (f.sample >= 0) this.#samples.fill(f.sample, flightExchange(this.#evidenceContext(), f, end));
    const ok = isOk(f);
    if (f.kind === 'fresh' && ok && this.#tracking) this.#track(f, end);
    if (f.kind === 'replay' && f.entry && ok) {
      this.dup.replaysCompared += 1;
      this.#compare(f.entry, f, end);
    }
    if (f.pair) {
      if (--f.pair.pending === 0) this.#judgePair(f.pair, end);
    }
  }

  #track(f: Flight, end: number): void {
    const t: Tracked = {
      slot: f.slot,
      key: f.key,
      requestBody: f.requestBody,
      status: f.status,
      // A copy: the chunk may be a view of a larger socket buffer that must not be retained.
      body: Buffer.from(f.body ?? EMPTY),
      rawHeaders: f.rawHeaders,
      sentAt: f.sentAt,
      durationMs: end - f.sentAt,
    };
    if (this.#ring.length < this.#ringSize) this.#ring.push(t);
    else this.#ring[this.#ringNext] = t;
    this.#ringNext = (this.#ringNext + 1) % this.#ringSize;
  }

  /** A duplicate answered 2xx: the judge decides; here it is counted and, within bounds, kept as evidence. */
  #compare(original: Tracked, dup: Flight, end: number): void {
    const verdict = judgeDuplicate(original, dup, this.#o.identity);
    if (verdict === 'match') return;
    const list = verdict === 'identity' ? this.evidence.identity : verdict === 'mismatch' ? this.evidence.mismatch : this.evidence.unexplained;
    if (verdict === 'identity') this.dup.identityDuplicates += 1;
    else if (verdict === 'mismatch') this.dup.replayMismatches += 1;
    else this.dup.unexplainedDifferences += 1;
    if (list.length < MAX_EVIDENCE) {
      const c = this.#evidenceContext();
      const pair: EvidencePair = [trackedExchange(c, original, this), flightExchange(c, dup, end)];
      list.push(pair);
    }
  }

  #judgePair(p: Pair, end: number): void {
    if (!isOk(p.original) || !isOk(p.twin)) return;
    this.dup.pairsCompared += 1;
    // Whichever won the claim is "the original" for the comparison; the other one must replay it.
    const { first, second } = claimWinner(p.original, p.twin);
    const tracked: Tracked = {
      slot: first.slot,
      key: first.key,
      requestBody: first.requestBody,
      status: first.status,
      body: first.body ?? EMPTY,
      rawHeaders: first.rawHeaders,
      sentAt: first.sentAt,
      durationMs: end - first.sentAt,
    };
    this.#compare(tracked, second, end);
  }

  #evidenceContext(): EvidenceContext {
    return { template: this.#o.template, transport: this.#transport, timeoutMs: this.#o.timeoutMs, origin: this.origin };
  }

  // -------------------------------------------------------------------------------------------
  // Ending

  stopScheduling(): void {
    if (this.schedulingDone) return;
    this.schedulingDone = true;
    this.#executor.stop();
    // Answers still missing after the request timeout (plus slack) are not waited for.
    this.#grace = this.clock.setTimeout(() => {
      this.#grace = undefined;
      void this.#transport.destroy().finally(() => this.#finish());
    }, this.#o.timeoutMs + GRACE_MS);
  }

  maybeFinish(): void {
    // Closed model: VUs notice the end only when their requests complete, so nothing in flight means all are done.
    if (this.schedulingDone && this.inFlight === 0) this.#finish();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#grace !== undefined) this.clock.clearTimeout(this.#grace);
    this.#executor.stop();
    if (this.#progressTimer !== undefined) this.clock.clearInterval(this.#progressTimer);
    this.#o.signal?.removeEventListener('abort', this.#onAbort);
    this.#resolve?.();
  }

  readonly #emitProgress = (): void => {
    const now = this.clock.now();
    const dt = now - this.#lastProgress.at;
    const achieved = dt > 0 ? ((this.completed - this.#lastProgress.completed) * 1000) / dt : 0;
    this.#lastProgress = { at: now, completed: this.completed };
    const elapsed = now - this.origin;
    const p: LoadProgress = {
      executor: this.#o.executor.name,
      elapsedMs: elapsed,
      durationMs: this.#executor.durationMs,
      sent: this.sent,
      completed: this.completed,
      errors: this.stats.counts[O_ERROR]! + this.stats.counts[O_TIMEOUT]!,
      inFlight: this.inFlight,
      dropped: this.dropped,
      late: this.late,
      achievedRate: achieved,
    };
    const schedule = this.#executor.schedule;
    if (schedule) p.targetRate = schedule.rateAt(elapsed);
    this.#o.onProgress?.(p);
  };

  #result(): LoadResult {
    const spec = this.#o.executor;
    const elapsed = this.#firstSend < 0 ? 0 : Math.max(0, this.#lastDone - this.#firstSend);
    const result: LoadResult = {
      executor: spec.name,
      connections: spec.connections,
      durationMs: this.#executor.durationMs,
      elapsedMs: elapsed,
      sent: this.sent,
      completed: this.completed,
      dropped: this.dropped,
      capped: this.#capped,
      aborted: this.#aborted,
      kinds: { ...this.kinds },
      stats: this.stats,
      statuses: statusRecord(this.#statusCounts),
      errors: Object.fromEntries(this.errors),
      keyPrefix: this.#prefix,
      keys: this.#fresh,
      duplicates: { ...this.dup },
      evidence: this.evidence,
      samples: this.#samples.items(),
      duplicatedKeys: this.#dupKeys.items(),
    };
    if (this.#stoppedEarly) result.stoppedEarly = this.#stoppedEarly;
    if (this.#shard) result.shard = { ...this.#shard };
    const schedule = this.#executor.schedule;
    if (schedule) {
      result.targetRate = schedule.meanRate;
      result.planned = schedule.total;
      result.late = this.late;
      result.maxLagMs = this.#maxLag;
    }
    return result;
  }
}
