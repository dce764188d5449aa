// Arrival schedules of the open-model executors, as pure functions of the request index: the
// INTENDED start of request i, in milliseconds from the start of the run. Latency in an open-model
// run is measured from this time, not from when the request was actually sent, so a target (or a
// generator) that falls behind shows its queueing in the percentiles (GUIDE section 4, principle 7).

export interface Stage {
  /** Request rate (req/s) reached at the end of the stage. */
  target: number;
  /** Stage length in milliseconds; the rate moves linearly from the previous target to this one. */
  durationMs: number;
}

export interface ArrivalSchedule {
  /** Requests whose intended start falls inside the schedule's duration. */
  readonly total: number;
  readonly durationMs: number;
  /** Intended start of request i (0-based), ms from the start; monotone non-decreasing in i. */
  at(i: number): number;
  /** Target rate (req/s) at time t (ms). */
  rateAt(t: number): number;
  /** Requests intended to start at or before time t (ms): the count a perfect generator has sent. */
  dueBy(t: number): number;
  /** Mean target rate over the whole schedule (req/s). */
  readonly meanRate: number;
}

// Float slack when turning "requests until t" into a count (so 100 req/s over 1 s is 100, not 101).
const EPS = 1e-9;

/** Constant arrival rate: request i is due at i * 1000 / rate ms. */
export function constantRate(rate: number, durationMs: number): ArrivalSchedule {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`rate must be a positive number of requests per second, got ${rate}`);
  if (!(durationMs > 0)) throw new RangeError(`duration must be positive, got ${durationMs} ms`);
  const interval = 1000 / rate;
  const total = Math.max(0, Math.ceil((rate * durationMs) / 1000 - EPS));
  return {
    total,
    durationMs,
    meanRate: rate,
    at: (i) => i * interval,
    rateAt: (t) => (t >= 0 && t < durationMs ? rate : 0),
    dueBy: (t) => (t < 0 ? 0 : Math.min(total, Math.floor(t / interval + EPS) + 1)),
  };
}

/**
 * Shard `index` of `count` of a schedule: its slots index, index + count, ... keep their intended
 * times, so n shards started together send exactly the whole schedule between them.
 */
export function shardSchedule(s: ArrivalSchedule, index: number, count: number): ArrivalSchedule {
  if (count <= 1) return s;
  const total = s.total > index ? Math.floor((s.total - 1 - index) / count) + 1 : 0;
  return {
    total,
    durationMs: s.durationMs,
    meanRate: s.meanRate / count,
    at: (i) => s.at(i * count + index),
    rateAt: (t) => s.rateAt(t) / count,
    dueBy: (t) => {
      const all = s.dueBy(t);
      return all > index ? Math.min(total, Math.floor((all - 1 - index) / count) + 1) : 0;
    },
  };
}

interface Segment {
  start: number;
  durationMs: number;
  r0: number;
  r1: number;
  /** Requests intended before the segment starts (fractional). */
  before: number;
  /** Requests intended within the segment (fractional). */
  count: number;
}

/** Requests (fractional) intended within the first tau ms of a segment: the integral of its rate. */
function countWithin(s: Segment, tau: number): number {
  return (s.r0 * tau + ((s.r1 - s.r0) * tau * tau) / (2 * s.durationMs)) / 1000;
}

/** Inverse of countWithin: the time tau at which k requests were intended since the segment began. */
function timeWithin(s: Segment, k: number): number {
  if (k <= 0) return 0;
  const a = (s.r1 - s.r0) / (2 * s.durationMs * 1000);
  const b = s.r0 / 1000;
  // tau = (-b + sqrt(b^2 + 4ak)) / 2a, written without dividing by a (stable when a -> 0 or a < 0).
  const disc = Math.max(0, b * b + 4 * a * k);
  const denom = b + Math.sqrt(disc);
  return denom > 0 ? Math.min(s.durationMs, (2 * k) / denom) : s.durationMs;
}

/**
 * Ramping arrival rate (k6's ramping-arrival-rate): the rate moves linearly from `startRate` to each
 * stage's target over the stage's duration. Request i is due when the integral of the rate reaches i.
 */
export function rampingRate(startRate: number, stages: readonly Stage[]): ArrivalSchedule {
  if (!(startRate >= 0)) throw new RangeError(`startRate must be >= 0, got ${startRate}`);
  if (stages.length === 0) throw new RangeError('a ramping schedule needs at least one stage');
  const segments: Segment[] = [];
  let start = 0;
  let before = 0;
  let r0 = startRate;
  for (const st of stages) {
    if (!(st.target >= 0)) throw new RangeError(`stage target must be >= 0, got ${st.target}`);
    if (!(st.durationMs > 0)) throw new RangeError(`stage duration must be positive, got ${st.durationMs} ms`);
    const seg: Segment = { start, durationMs: st.durationMs, r0, r1: st.target, before, count: 0 };
    seg.count = countWithin(seg, st.durationMs);
    segments.push(seg);
    start += st.durationMs;
    before += seg.count;
    r0 = st.target;
  }
  const durationMs = start;
  const cumulative = before;
  const total = Math.max(0, Math.ceil(cumulative - EPS));
  const segmentAt = (t: number): Segment | undefined => segments.find((s) => t < s.start + s.durationMs);
  const intended = (t: number): number => {
    if (t <= 0) return 0;
    const s = segmentAt(t);
    if (!s) return cumulative;
    return s.before + countWithin(s, t - s.start);
  };
  return {
    total,
    durationMs,
    meanRate: durationMs > 0 ? (cumulative * 1000) / durationMs : 0,
    at(i) {
      if (i <= 0) return 0;
      // The segment in which the i-th request falls; few stages, so a linear scan is fine.
      let s = segments[segments.length - 1]!;
      for (const seg of segments) {
        if (i <= seg.before + seg.count + EPS && seg.count > 0) {
          s = seg;
          break;
        }
      }
      return s.start + timeWithin(s, i - s.before);
    },
    rateAt(t) {
      const s = t >= 0 ? segmentAt(t) : undefined;
      if (!s) return 0;
      return s.r0 + ((s.r1 - s.r0) * (t - s.start)) / s.durationMs;
    },
    dueBy(t) {
      // Request 0 is due at t = 0 whenever the schedule holds any request.
      if (t < 0 || total === 0) return 0;
      return Math.min(total, Math.floor(intended(t) + EPS) + 1);
    },
  };
}
