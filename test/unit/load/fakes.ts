// A fake clock and a fake HTTP server for the load engine: time only moves when the test says so,
// and the "server" answers through the same handler calls undici makes (onHeaders/onData/onComplete).
import type { Flight } from '../../../src/engine/load/flight.js';
import type { LoadClock } from '../../../src/engine/load/clock.js';
import type { Transport } from '../../../src/engine/load/transport.js';
import type { LoadRequestTemplate } from '../../../src/engine/load/types.js';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
  every?: number;
}

export class FakeClock implements LoadClock {
  t = 0;
  #timers: Timer[] = [];
  #seq = 0;
  /** Timer callbacks run so far (to bound runaway loops in tests). */
  fired = 0;

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    // Like Node: a timer never fires sooner than 1 ms after it was set.
    return this.#add(fn, Math.max(1, ms));
  }

  setImmediate(fn: () => void): unknown {
    return this.#add(fn, 0);
  }

  setInterval(fn: () => void, ms: number): unknown {
    const id = this.#add(fn, ms);
    this.#timers.find((t) => t.id === id)!.every = ms;
    return id;
  }

  clearTimeout(h: unknown): void {
    this.#timers = this.#timers.filter((t) => t.id !== h);
  }

  clearInterval(h: unknown): void {
    this.clearTimeout(h);
  }

  #add(fn: () => void, ms: number): number {
    const id = ++this.#seq;
    this.#timers.push({ id, at: this.t + ms, fn });
    return id;
  }

  get pending(): number {
    return this.#timers.length;
  }

  /** Jump ahead without running anything (a blocked event loop). */
  freeze(ms: number): void {
    this.t += ms;
  }

  /** Run timers in time order (ties in creation order) until none is due before `until`. */
  run(until = Number.POSITIVE_INFINITY, maxFired = 1_000_000): void {
    for (;;) {
      if (this.fired > maxFired) throw new Error('fake clock: too many timers fired');
      let next: Timer | undefined;
      for (const t of this.#timers) if (!next || t.at < next.at || (t.at === next.at && t.id < next.id)) next = t;
      if (!next || next.at > until) break;
      this.t = Math.max(this.t, next.at);
      if (next.every !== undefined) next.at = this.t + next.every;
      else this.#timers = this.#timers.filter((t) => t !== next);
      this.fired += 1;
      next.fn();
    }
    if (until !== Number.POSITIVE_INFINITY) this.t = Math.max(this.t, until);
  }
}

export interface FakeRequest {
  key: string;
  kind: string;
  sentAt: number;
}

export interface FakeAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Service time in ms. */
  latency: number;
  error?: Error & { code?: string };
}

export function template(overrides: Partial<LoadRequestTemplate> = {}): LoadRequestTemplate {
  const body = Buffer.from('{"amount":1}');
  return {
    endpoint: 'pay',
    origin: 'http://fake.test',
    path: '/payments',
    method: 'POST',
    headers: ['content-type', 'application/json'],
    keyHeader: 'idempotency-key',
    keyFormat: 'sf-string',
    body: () => body,
    ...overrides,
  };
}

/** A transport whose answers come from `answer(request)` after its latency, on the fake clock. */
export class FakeTransport implements Transport {
  readonly url = 'http://fake.test/payments';
  readonly sent: FakeRequest[] = [];
  #live = new Set<Flight>();
  destroyed = false;

  constructor(
    private readonly clock: FakeClock,
    private readonly answer: (r: FakeRequest, f: Flight) => FakeAnswer,
  ) {}

  send(f: Flight): void {
    const req = { key: f.key, kind: f.kind, sentAt: this.clock.now() };
    this.sent.push(req);
    this.#live.add(f);
    const a = this.answer(req, f);
    this.clock.setTimeout(() => {
      if (!this.#live.delete(f)) return;
      if (a.error) return f.onError(a.error);
      const raw = Object.entries(a.headers ?? {}).flatMap(([k, v]) => [Buffer.from(k), Buffer.from(v)]);
      f.onHeaders(a.status, raw);
      if (a.body) f.onData(Buffer.from(a.body));
      f.onComplete();
    }, a.latency);
  }

  done(): void {}

  requestHeaders(f: Flight): Record<string, string> {
    return { 'content-type': 'application/json', 'idempotency-key': `"${f.key}"` };
  }

  async close(): Promise<void> {}

  async destroy(): Promise<void> {
    this.destroyed = true;
    for (const f of [...this.#live]) {
      this.#live.delete(f);
      f.onError(Object.assign(new Error('destroyed'), { code: 'UND_ERR_DESTROYED' }));
    }
  }
}

/**
 * An idempotent fake server: first request per key executes (new id) after `work` ms; a duplicate
 * while it is in flight gets 409 (or, `flawed`, executes again); a later one gets the stored reply.
 */
export function idempotentServer(clock: FakeClock, opts: { work?: number; flawed?: boolean; rerender?: boolean } = {}) {
  const work = opts.work ?? 10;
  const state = new Map<string, { doneAt: number; body: string }>();
  let ids = 0;
  let executions = 0;
  const answer = (r: FakeRequest): FakeAnswer => {
    const now = clock.now();
    const known = state.get(r.key);
    if (known && known.doneAt <= now) {
      const body = opts.rerender ? known.body.replace('}', ',"x":1}') : known.body;
      return { status: 201, body, headers: { 'idempotent-replayed': 'true' }, latency: 1 };
    }
    if (known && !opts.flawed) return { status: 409, body: '{"title":"in flight"}', latency: 1 };
    executions += 1;
    const body = `{"id":"pay_${++ids}"}`;
    if (!known) state.set(r.key, { doneAt: now + work, body });
    return { status: 201, body, latency: work };
  };
  return { answer, executions: () => executions, keys: () => state.size };
}
