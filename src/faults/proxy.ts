// startFaultProxy: an HTTP reverse proxy in front of the API under test that injects named faults
// into matching requests and passes everything else through untouched. Decisions come from a
// seeded generator per spec, so one seed replays the same faults for the same request sequence.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRng, type Rng } from '../core/rng.js';
import { createFaultContext, ProxyAnswerError, type WaitRegistry } from './context.js';
import { idempotencyKeyOf } from './headers.js';
import { compileMatch, pathnameOf, type RequestMatcher } from './match.js';
import { getFault } from './registry.js';
import { parseFaultSpec, type ExtensionFaultSpecInput, type FaultSpecInput } from './spec.js';
import type { Fault, FaultEvent, FaultEventDetail, FaultSpecBase } from './types.js';
import { parseUpstream, UpstreamClient } from './upstream.js';
import { listen, urlFor } from '../core/listen.js';

export interface FaultProxyOptions {
  /** Base URL of the API under test, e.g. http://127.0.0.1:4000 */
  upstream: string;
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Tried in order for each request; the first matching spec whose dice roll hits takes the request. */
  faults: ReadonlyArray<FaultSpecInput | ExtensionFaultSpecInput | FaultSpecBase>;
  seed: string;
  onEvent?: (event: FaultEvent) => void;
  /** Every upstream answer (headers arrived), with the request's key: when the upstream finished, as a timeline fact. */
  onUpstreamAnswer?: (answer: UpstreamAnswer) => void;
  /** Cap on what a fault buffers (duplicate-upstream's request, truncate-body's response). Default 8 MiB. */
  maxBufferBytes?: number;
  /** Upstream headers and body timeouts. Default 60 s. */
  upstreamTimeoutMs?: number;
  /** Exact paths (query ignored) always forwarded untouched, never faulted: e.g. a recorder's own query route. */
  transparentPaths?: readonly string[];
}

/** A fault armed for the next request only (FaultProxy.injectNext). */
export interface OneShot {
  /** The spec as validated, defaults filled in. */
  readonly spec: FaultSpecBase;
  /** The fault's event once it acted on a request; undefined while still armed (or cancelled unused). */
  readonly event: FaultEvent | undefined;
  /** True once a request took it (even if the upstream failed before the fault could act). */
  readonly taken: boolean;
  /** Disarms it if no request took it yet; a no-op afterwards. */
  cancel(): void;
}

export interface UpstreamAnswer {
  /** The Idempotency-Key header exactly as received, when there was one. */
  key?: string;
  status: number;
  /** Epoch milliseconds. */
  at: number;
}

export interface FaultStats {
  /** Requests the fault was injected into. */
  injected: number;
  /** Matching requests the dice let through (to the next spec, or transparently). */
  passed: number;
}

export interface FaultProxyStats {
  requests: number;
  /** Requests no fault took: forwarded untouched. */
  transparent: number;
  /** Requests the proxy could not complete: upstream failures (answered 502), over-limit buffers (413/502), clients gone mid-request. */
  proxyErrors: number;
  /** Keyed by fault name (specs sharing a name add up). */
  faults: Record<string, FaultStats>;
}

export interface FaultProxy {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  /** The validated specs, defaults filled in, in the order they are tried. */
  specs: readonly FaultSpecBase[];
  /**
   * Arms `spec` for the next request only (before the configured specs, no dice roll): one request
   * gets it, whatever its path or method, except the transparent paths. Several calls queue up.
   * Cancel it when the request it was meant for is done, so it never reaches another one.
   */
  injectNext(spec: FaultSpecInput | ExtensionFaultSpecInput | FaultSpecBase): OneShot;
  /** Stops listening, ends every held or in-flight exchange at once, and resolves when done. */
  close(): Promise<void>;
  stats(): FaultProxyStats;
}

interface ArmedSpec {
  spec: FaultSpecBase;
  fault: Fault<FaultSpecBase>;
  matches: RequestMatcher;
  /** Draws the inject-or-pass decisions only, so option draws (jitter) never shift them. */
  dice: Rng;
  options: Rng;
  counters: FaultStats;
}

const DEFAULT_MAX_BUFFER_BYTES = 8 * 1024 * 1024;
const DEFAULT_UPSTREAM_TIMEOUT_MS = 60_000;

function answerFailure(res: ServerResponse, err: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const status = err instanceof ProxyAnswerError ? err.status : 502;
  const reason = err instanceof Error ? err.message : String(err);
  const body = `${status} fault proxy: ${reason}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'x-idemaudit-proxy': 'error',
    // Part of the request may still be unread: this connection cannot carry another exchange.
    connection: 'close',
  });
  res.end(body);
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = parseUpstream(options.upstream);
  const specs = options.faults.map((input, i) => parseFaultSpec(input, `fault #${i + 1} (${String(input.name)})`));
  const root = createRng(options.seed);
  const faultStats: Record<string, FaultStats> = {};
  const armed: ArmedSpec[] = specs.map((spec, i) => {
    faultStats[spec.name] ??= { injected: 0, passed: 0 };
    const label = `${i}:${spec.name}`;
    return {
      spec,
      fault: getFault(spec.name),
      matches: compileMatch(spec.match),
      dice: root.fork(`dice/${label}`),
      options: root.fork(`options/${label}`),
      counters: faultStats[spec.name]!,
    };
  });
  const totals = { requests: 0, transparent: 0, proxyErrors: 0 };
  // Option draws (jitter) of one-shot faults: a stream of their own, so they never shift the specs' draws.
  const oneShotRng = root.fork('options/one-shot');
  const maxBufferBytes = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
  const upstream = new UpstreamClient(target, options.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS);

  const pending = new Set<() => void>();
  let closed = false;
  const waits: WaitRegistry = {
    get closed() {
      return closed;
    },
    add: (cancel) => pending.add(cancel),
    delete: (cancel) => pending.delete(cancel),
  };

  interface Armed1 {
    spec: FaultSpecBase;
    fault: Fault<FaultSpecBase>;
    handle: { event: FaultEvent | undefined; taken: boolean };
  }
  const oneShots: Armed1[] = [];
  const transparentPaths = new Set(options.transparentPaths ?? []);

  const choose = (method: string, pathname: string): ArmedSpec | undefined => {
    for (const candidate of armed) {
      if (!candidate.matches(method, pathname)) continue;
      if (candidate.dice.next() < candidate.spec.probability) return candidate;
      candidate.counters.passed++;
    }
    return undefined;
  };

  const emitter = (req: IncomingMessage, fault: string, oneShot?: Armed1['handle']) => {
    let emitted = false;
    return (detail?: FaultEventDetail): void => {
      if (emitted || (!options.onEvent && !oneShot)) return;
      emitted = true;
      const key = idempotencyKeyOf(req.headers);
      const event: FaultEvent = { fault, method: req.method ?? 'GET', path: req.url ?? '/', at: Date.now(), ...detail };
      if (key !== undefined) event.key = key;
      if (oneShot) oneShot.event = event;
      try {
        options.onEvent?.(event);
      } catch {
        // A listener's bug must not take the proxy's connection handling down with it.
      }
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // A client vanishing mid-body errors these streams; the exchange's own code reacts to that.
    req.on('error', () => {});
    res.on('error', () => {});
    totals.requests++;
    const pathname = pathnameOf(req.url);
    const exempt = transparentPaths.has(pathname);
    const once = exempt ? undefined : oneShots.shift();
    if (once) once.handle.taken = true;
    const chosen = once ? undefined : exempt ? undefined : choose(req.method ?? 'GET', pathname);
    const acting = once ?? chosen;
    const emit = acting ? emitter(req, acting.spec.name, once?.handle) : () => {};
    const onAnswer = options.onUpstreamAnswer;
    const onUpstreamAnswer = onAnswer
      ? (status: number): void => {
          const key = idempotencyKeyOf(req.headers);
          try {
            onAnswer({ status, at: Date.now(), ...(key !== undefined ? { key } : {}) });
          } catch {
            // A listener's bug must not take the proxy down.
          }
        }
      : undefined;
    const ctx = createFaultContext(req, res, {
      upstream,
      waits,
      rng: chosen?.options ?? oneShotRng,
      maxBufferBytes,
      emit,
      ...(onUpstreamAnswer ? { onUpstreamAnswer } : {}),
    });
    try {
      if (once) {
        faultStats[once.spec.name] ??= { injected: 0, passed: 0 };
        faultStats[once.spec.name]!.injected++;
        await once.fault.inject(ctx, once.spec);
      } else if (chosen) {
        chosen.counters.injected++;
        await chosen.fault.inject(ctx, chosen.spec);
      } else {
        totals.transparent++;
        await ctx.forward();
      }
    } catch (err) {
      if (closed) return;
      totals.proxyErrors++;
      answerFailure(res, err);
    } finally {
      // Every injected fault reports, also when the upstream failed before the fault could act.
      emit();
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  const host = options.host ?? '127.0.0.1';
  try {
    await listen(server, options.port ?? 0, host);
  } catch (err) {
    await upstream.destroy();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      closed = true;
      for (const cancel of [...pending]) cancel();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Held (stalled) and keep-alive connections would otherwise keep server.close() waiting.
      server.closeAllConnections();
      await upstream.destroy();
      await stopped;
    })();
    return closing;
  };
  const closeAndDisarm = (): Promise<void> => {
    oneShots.length = 0;
    return close();
  };

  return {
    url: urlFor(host, port),
    port,
    specs,
    close: closeAndDisarm,
    injectNext(input) {
      const spec = parseFaultSpec(input, `one-shot fault (${String(input.name)})`);
      const armedOnce: Armed1 = { spec, fault: getFault(spec.name), handle: { event: undefined, taken: false } };
      oneShots.push(armedOnce);
      const { handle } = armedOnce;
      return {
        spec,
        get event() {
          return handle.event;
        },
        get taken() {
          return handle.taken;
        },
        cancel() {
          const i = oneShots.indexOf(armedOnce);
          if (i !== -1) oneShots.splice(i, 1);
        },
      };
    },
    stats: () => ({
      ...totals,
      faults: Object.fromEntries(Object.entries(faultStats).map(([name, s]) => [name, { ...s }])),
    }),
  };
}
