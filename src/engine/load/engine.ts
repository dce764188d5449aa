// The load engine: paces requests (open model: an arrival schedule; closed model: N connections
// each sending its next request when the previous one is answered), mixes fresh keys with
// duplicates, records latency by outcome, and judges duplicates against their originals as the
// answers arrive. Memory is O(1) in the number of requests: counters, histograms, a bounded ring of
// recent originals, bounded samples and evidence; nothing per request outlives the request.
import type { Exchange } from '../../core/exchange.js';
import { flattenHeaders } from '../client.js';
import { resolvePointer } from '../../core/json-pointer.js';
import { describeNetError, errorCode } from '../net-error.js';
import { createRng, type Rng } from '../../core/rng.js';
import { Flight, type FlightSink, type Pair, type Tracked, type Vu } from './flight.js';
import type { LoadClock } from './clock.js';
import { TrafficMix, type SlotKind } from './mix.js';
import { Reservoir } from './reservoir.js';
import { constantRate, rampingRate, type ArrivalSchedule } from './schedule.js';
import { LoadStats, O_CONFLICT, O_ERROR, O_FIRST, O_MISMATCH, O_REJECTED, O_REPLAY, O_TIMEOUT } from './stats.js';
import type { Transport } from './transport.js';
import type { EvidencePair, LoadOptions, LoadProgress, LoadResult } from './types.js';

/** Requests dispatched per timer turn before yielding to I/O, so answers are read while catching up. */
const MAX_BATCH = 256;
/** How long after the last send the run waits for answers beyond the request timeout. */
const GRACE_MS = 2000;
const MAX_EVIDENCE = 3;
const MAX_ERROR_KINDS = 20;
const DUPLICATED_KEYS_SAMPLE = 16;
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Why a key prefix cannot be used, or undefined. Keys must survive sf-string quoting unescaped. */
export function keyPrefixProblem(prefix: string): string | undefined {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(prefix) ? undefined : `key prefix '${prefix}' must be 1-64 characters of A-Z a-z 0-9 _ . -`;
}

export function scheduleFor(spec: LoadOptions['executor']): ArrivalSchedule | undefined {
  switch (spec.name) {
    case 'constant-arrival-rate': return constantRate(spec.rate, spec.durationMs);
    case 'ramping-arrival-rate': return rampingRate(spec.startRate, spec.stages);
    default: return undefined;
  }
}

export class LoadEngine implements FlightSink {
  readonly stats = new LoadStats();
  readonly #o: LoadOptions;
  readonly #transport: Transport;
  readonly #clock: LoadClock;
  readonly #rng: Rng;
  readonly #mix: TrafficMix;
  readonly #schedule: ArrivalSchedule | undefined;
  readonly #durationMs: number;
  readonly #maxInFlight: number;
  readonly #tracking: boolean;
  readonly #outcomeOf: Uint8Array;
  readonly #prefix: string;
  readonly #samples: Reservoir<Exchange>;
  readonly #dupKeys: Reservoir<string>;
  readonly #ring: Tracked[] = [];
  readonly #ringSize: number;
  #ringNext = 0;

  #origin = 0;
  #slot = 0;
  #fresh = 0;
  sent = 0;
  completed = 0;
  inFlight = 0;
  dropped = 0;
  #capped = false;
  #aborted = false;
  #bad = 0;
  #stoppedEarly: string | undefined;
  #schedulingDone = false;
  #liveVus = 0;
  #firstSend = -1;
  #lastDone = 0;
  #timer: unknown;
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
    this.#clock = clock;
    this.#rng = createRng(`${options.seed}/load`);
    const mixRng = this.#rng.fork('mix');
    this.#mix = new TrafficMix({ duplicates: options.duplicates, inFlight: options.inFlightDuplicates }, () => mixRng.next());
    this.#schedule = scheduleFor(options.executor);
    this.#durationMs = this.#schedule ? this.#schedule.durationMs : (options.executor as { durationMs: number }).durationMs;
    this.#maxInFlight = 'maxInFlight' in options.executor ? options.executor.maxInFlight : Number.POSITIVE_INFINITY;
    this.#tracking = options.duplicates > 0;
    this.#prefix = options.keyPrefix ?? `ia-load-${this.#rng.fork('prefix').hex(4)}-`;
    const problem = keyPrefixProblem(this.#prefix);
    if (problem) throw new RangeError(problem);
    this.#ringSize = options.trackSize ?? 256;
    const sampleRng = this.#rng.fork('sample');
    this.#samples = new Reservoir<Exchange>(options.sampleSize ?? 200, () => sampleRng.next());
    this.#dupKeys = new Reservoir<string>(DUPLICATED_KEYS_SAMPLE, () => sampleRng.next());
    // status -> outcome, one array read per answer.
    this.#outcomeOf = new Uint8Array(1000);
    for (let s = 0; s < 1000; s++) {
      this.#outcomeOf[s] = s >= 200 && s < 300 ? O_FIRST
        : s >= 500 ? O_ERROR
          : options.statuses.inFlight.includes(s) ? O_CONFLICT
            : options.statuses.mismatch.includes(s) ? O_MISMATCH
              : O_REJECTED;
    }
  }

  /** Run to the end of the schedule (or maxRequests, or the signal); resolves once every answer is in. */
  run(): Promise<LoadResult> {
    return new Promise<void>((resolve) => {
      this.#resolve = resolve;
      const signal = this.#o.signal;
      if (signal?.aborted) return this.#abort();
      signal?.addEventListener('abort', this.#onAbort, { once: true });
      this.#origin = this.#clock.now();
      this.#lastProgress = { at: this.#origin, completed: 0 };
      if (this.#o.onProgress) this.#progressTimer = this.#clock.setInterval(this.#emitProgress, this.#o.progressIntervalMs ?? 1000);
      if (this.#schedule) this.#tick();
      else this.#startVus();
    }).then(() => this.#result());
  }

  readonly #onAbort = (): void => this.#abort();

  #abort(): void {
    if (this.#finished) return;
    this.#aborted = true;
    this.#stopScheduling();
    void this.#transport.destroy().finally(() => this.#finish());
  }

  // -------------------------------------------------------------------------------------------
  // Open model

  readonly #tick = (): void => {
    this.#timer = undefined;
    if (this.#schedulingDone) return;
    const schedule = this.#schedule!;
    const elapsed = this.#clock.now() - this.#origin;
    let budget = MAX_BATCH;
    while (this.#slot < schedule.total) {
      const at = schedule.at(this.#slot);
      if (at > elapsed) break;
      if (budget-- <= 0) {
        this.#timer = this.#clock.setImmediate(this.#tick);
        return;
      }
      if (this.sent >= this.#o.maxRequests) {
        this.#capped = true;
        break;
      }
      if (this.inFlight >= this.#maxInFlight) {
        // The target (or the generator) cannot keep up: like k6's dropped iterations, the slot is
        // counted and skipped rather than queued without bound.
        this.dropped += 1;
        this.#mix.next();
        this.#slot += 1;
        continue;
      }
      this.#slot += this.#sendNext(this.#origin + at, undefined, this.#slot + 1 < schedule.total);
    }
    if (this.#capped || this.#slot >= schedule.total) {
      this.#stopScheduling();
      this.#maybeFinish();
      return;
    }
    this.#timer = this.#clock.setTimeout(this.#tick, Math.max(0, schedule.at(this.#slot) - (this.#clock.now() - this.#origin)));
  };

  // -------------------------------------------------------------------------------------------
  // Closed model

  #startVus(): void {
    const n = this.#o.executor.connections;
    this.#liveVus = n;
    // The run ends at its duration even if no answer ever arrives.
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#stopScheduling();
      this.#maybeFinish();
    }, this.#durationMs);
    for (let i = 0; i < n; i++) this.#vuNext({ pending: 0 });
  }

  #vuNext(vu: Vu): void {
    // The end of the duration is the timer set in #startVus (it sets #schedulingDone): no clock read here.
    if (this.#schedulingDone || this.sent >= this.#o.maxRequests) {
      if (!this.#schedulingDone && this.sent >= this.#o.maxRequests) this.#capped = true;
      this.#liveVus -= 1;
      if (this.#liveVus <= 0) this.#stopScheduling();
      this.#maybeFinish();
      return;
    }
    this.#slot += this.#sendNext(this.#clock.now(), vu, true);
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  /** Sends the next slot (and its in-flight twin, if the mix says so); returns the slots used. */
  #sendNext(intended: number, vu: Vu | undefined, canPair: boolean): number {
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
        this.#send(original);
        return 1;
      }
      this.#mix.next();
      const second = this.#flight('inflight', key, body, intended, vu);
      const pair: Pair = { original, twin: second, pending: 2 };
      original.pair = pair;
      second.pair = pair;
      original.keep = true;
      second.keep = true;
      this.#send(original);
      this.#send(second);
      this.#dupKeys.offer(key);
      return 2;
    }
    const f = this.#flight('replay', entry!.key, entry!.requestBody, intended, vu);
    f.entry = entry;
    f.keep = true;
    this.#dupKeys.offer(entry!.key);
    this.#send(f);
    return 1;
  }

  #flight(kind: SlotKind, key: string, body: Buffer | undefined, intended: number, vu: Vu | undefined): Flight {
    const f = new Flight(this, this.#slot + (kind === 'inflight' ? 1 : 0), kind, key, body, intended, this.#tracking);
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
    const now = this.#clock.now();
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
    const end = this.#clock.now();
    this.#transport.done(f);
    this.inFlight -= 1;
    this.completed += 1;
    this.#lastDone = end;
    let outcome: number;
    if (f.error) {
      outcome = TIMEOUT_CODES.has(errorCode(f.error) ?? '') ? O_TIMEOUT : O_ERROR;
      this.#countError(f.error);
    } else {
      const s = f.status < 1000 ? f.status : 999;
      this.#statusCounts[s]! += 1;
      outcome = this.#outcomeOf[s]!;
      if (outcome === O_FIRST && (f.marked || f.kind !== 'fresh')) outcome = O_REPLAY;
    }
    this.stats.record(outcome, end - f.intended, end - f.sentAt);
    if (outcome === O_ERROR || outcome === O_TIMEOUT) this.#checkBailout();
    if (f.keep) this.#judge(f, end);
    if (f.vu) {
      if (--f.vu.pending === 0) this.#vuNext(f.vu);
    } else if (this.#schedulingDone) {
      this.#maybeFinish();
    }
  }

  #checkBailout(): void {
    this.#bad += 1;
    const b = this.#o.bailout;
    if (!b || this.#schedulingDone || this.completed < b.minRequests || this.#bad / this.completed <= b.rate) return;
    this.#stoppedEarly = `bail-out: ${this.#bad} of ${this.completed} answers were errors, timeouts or 5xx (limit ${Math.round(b.rate * 100)}%)`;
    this.#stopScheduling();
    this.#maybeFinish();
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
    if (f.sample >= 0) this.#samples.fill(f.sample, this.#exchange(f, end));
    const ok = !f.error && f.status >= 200 && f.status < 300;
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
      slot: f.slot, key: f.key, requestBody: f.requestBody, status: f.status,
      // A copy: the chunk may be a view of a larger socket buffer that must not be retained.
      body: Buffer.from(f.body ?? Buffer.alloc(0)),
      rawHeaders: f.rawHeaders, sentAt: f.sentAt, durationMs: end - f.sentAt,
    };
    if (this.#ring.length < this.#ringSize) this.#ring.push(t);
    else this.#ring[this.#ringNext] = t;
    this.#ringNext = (this.#ringNext + 1) % this.#ringSize;
  }

  #idOf(body: Buffer | undefined): string | undefined {
    const pointer = this.#o.identity;
    if (pointer === undefined || !body || body.length === 0) return undefined;
    try {
      const v = resolvePointer(JSON.parse(body.toString('utf8')), pointer);
      return v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
    } catch {
      return undefined;
    }
  }

  /** A duplicate answered 2xx: the same status and bytes as the original, or evidence of what differs. */
  #compare(original: Tracked, dup: Flight, end: number): void {
    const body = dup.body ?? Buffer.alloc(0);
    if (original.status === dup.status && original.body.equals(body)) return;
    const a = this.#idOf(original.body);
    const b = this.#idOf(body);
    const pair = (): EvidencePair => [this.#trackedExchange(original), this.#exchange(dup, end)];
    if (a !== undefined && b !== undefined && a !== b) {
      this.dup.identityDuplicates += 1;
      if (this.evidence.identity.length < MAX_EVIDENCE) this.evidence.identity.push(pair());
    } else if (this.#o.identity !== undefined) {
      this.dup.replayMismatches += 1;
      if (this.evidence.mismatch.length < MAX_EVIDENCE) this.evidence.mismatch.push(pair());
    } else {
      this.dup.unexplainedDifferences += 1;
      if (this.evidence.unexplained.length < MAX_EVIDENCE) this.evidence.unexplained.push(pair());
    }
  }

  #judgePair(p: Pair, end: number): void {
    const { original, twin } = p;
    const ok = (f: Flight): boolean => !f.error && f.status >= 200 && f.status < 300;
    if (!ok(original) || !ok(twin)) return;
    this.dup.pairsCompared += 1;
    // Whichever won the claim is "the original" for the comparison; the other one must replay it.
    const first = original.marked && !twin.marked ? twin : original;
    const second = first === original ? twin : original;
    const tracked: Tracked = {
      slot: first.slot, key: first.key, requestBody: first.requestBody, status: first.status, body: first.body ?? Buffer.alloc(0),
      rawHeaders: first.rawHeaders, sentAt: first.sentAt, durationMs: end - first.sentAt,
    };
    this.#compare(tracked, second, end);
  }

  #exchange(f: Flight, end: number): Exchange {
    const e: Exchange = {
      seq: f.slot + 1,
      label: f.kind === 'fresh' ? 'load: fresh key' : f.kind === 'replay' ? 'load: replay' : 'load: in-flight duplicate',
      endpoint: this.#o.template.endpoint,
      key: f.key,
      request: { method: this.#o.template.method, url: this.#transport.url, headers: this.#transport.requestHeaders(f) },
      startedAt: f.sentAt - this.#origin,
      durationMs: end - f.sentAt,
    };
    if (this.#o.template.tenant) e.tenant = this.#o.template.tenant;
    if (f.requestBody) e.request.body = f.requestBody;
    if (f.error) e.error = TIMEOUT_CODES.has(errorCode(f.error) ?? '') ? `timeout after ${this.#o.timeoutMs} ms` : describeNetError(f.error);
    else e.response = { status: f.status, headers: rawToRecord(f.rawHeaders), body: Buffer.from(f.body ?? Buffer.alloc(0)) };
    return e;
  }

  #trackedExchange(t: Tracked): Exchange {
    const e: Exchange = {
      seq: t.slot + 1, label: 'load: original', endpoint: this.#o.template.endpoint, key: t.key,
      request: { method: this.#o.template.method, url: this.#transport.url, headers: {} },
      response: { status: t.status, headers: rawToRecord(t.rawHeaders), body: t.body },
      startedAt: t.sentAt - this.#origin, durationMs: t.durationMs,
    };
    const probe = new Flight(this, t.slot, 'fresh', t.key, t.requestBody, 0, false);
    e.request.headers = this.#transport.requestHeaders(probe);
    if (this.#o.template.tenant) e.tenant = this.#o.template.tenant;
    if (t.requestBody) e.request.body = t.requestBody;
    return e;
  }

  // -------------------------------------------------------------------------------------------
  // Ending

  #stopScheduling(): void {
    if (this.#schedulingDone) return;
    this.#schedulingDone = true;
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    // Answers still missing after the request timeout (plus slack) are not waited for.
    this.#grace = this.#clock.setTimeout(() => {
      this.#grace = undefined;
      void this.#transport.destroy().finally(() => this.#finish());
    }, this.#o.timeoutMs + GRACE_MS);
  }

  #maybeFinish(): void {
    // Closed model: VUs notice the end only when their requests complete, so nothing in flight means all are done.
    if (this.#schedulingDone && this.inFlight === 0) this.#finish();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#grace !== undefined) this.#clock.clearTimeout(this.#grace);
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    if (this.#progressTimer !== undefined) this.#clock.clearInterval(this.#progressTimer);
    this.#o.signal?.removeEventListener('abort', this.#onAbort);
    this.#resolve?.();
  }

  readonly #emitProgress = (): void => {
    const now = this.#clock.now();
    const dt = now - this.#lastProgress.at;
    const achieved = dt > 0 ? ((this.completed - this.#lastProgress.completed) * 1000) / dt : 0;
    this.#lastProgress = { at: now, completed: this.completed };
    const elapsed = now - this.#origin;
    const p: LoadProgress = {
      executor: this.#o.executor.name,
      elapsedMs: elapsed,
      durationMs: this.#durationMs,
      sent: this.sent,
      completed: this.completed,
      errors: this.stats.counts[O_ERROR]! + this.stats.counts[O_TIMEOUT]!,
      inFlight: this.inFlight,
      dropped: this.dropped,
      achievedRate: achieved,
    };
    if (this.#schedule) p.targetRate = this.#schedule.rateAt(elapsed);
    this.#o.onProgress?.(p);
  };

  #result(): LoadResult {
    const spec = this.#o.executor;
    const elapsed = this.#firstSend < 0 ? 0 : Math.max(0, this.#lastDone - this.#firstSend);
    const result: LoadResult = {
      executor: spec.name,
      connections: spec.connections,
      durationMs: this.#durationMs,
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
    if (this.#schedule) {
      result.targetRate = this.#schedule.meanRate;
      result.planned = this.#schedule.total;
    }
    return result;
  }
}

function statusRecord(counts: Uint32Array): Record<string, number> {
  const out: Record<string, number> = {};
  counts.forEach((n, status) => {
    if (n > 0) out[String(status)] = n;
  });
  return out;
}

function rawToRecord(raw: Buffer[] | undefined): Record<string, string> {
  if (!raw) return {};
  const obj: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    const prev = obj[name];
    obj[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return flattenHeaders(obj);
}
