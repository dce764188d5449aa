// Builds the chaos port for each check run: one runtime per audit (admin HTTP, cached settings,
// the shared retry budget), one port per check and endpoint whose proxies close when the check ends.
import { readSmallJson } from '../engine/read-capped.js';
import { Agent, request } from 'undici';
import { parseFaultSpec, startFaultProxy, type FaultEvent, type FaultSpecBase, type FaultSpecInput } from '../faults/index.js';
import type { Scenario } from '../scenario/schema.js';
import type { RunClock } from '../engine/clock.js';
import type { OutgoingRequest } from '../core/exchange.js';
import type { HistoryLog, HistoryOp, HistoryOpInput, LedgerEntry } from '../engine/history.js';
import { DEFAULT_RETRY_POLICY, RetryBudget, type RetryPolicy } from '../engine/retry/index.js';
import { createRng } from '../core/rng.js';
import { HEALTH_PATH, parseHealth } from '../core/health.js';
import type { ChaosEvent, ChaosPort, ChaosProxy, StoreOutage, TargetSettings } from '../checks/chaos/port.js';

export interface ChaosRuntimeDeps {
  scenario: Scenario;
  baseUrl: string;
  /** Whether the target is the embedded server the run started (`target: self`). */
  isSelf: boolean;
  seed: string;
  clock: RunClock;
  history: HistoryLog;
  ledgerUrl: () => string | undefined;
  timeoutMs: number;
  signal: AbortSignal;
  /** A dry run: no proxy is started and the target's admin routes are never asked. */
  offline?: boolean;
}

export interface ChaosRuntime {
  /** The port for one check on one endpoint; closeAll() ends every proxy it started. */
  portFor(check: string, endpoint: string, emit: (event: ChaosEvent) => void): ChaosPort & { closeAll(): Promise<void> };
  close(): Promise<void>;
}

/** `"ia-x"` (an sf-string as sent on the wire) -> `ia-x`; a bare key stays as it is. */
export function unquoteKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^"((?:[^"\\]|\\.)*)"$/.exec(header.trim());
  return m ? m[1]!.replace(/\\(.)/g, '$1') : header;
}

/** A fault a proxy injected, as a history line of `process` (`proxy`, or `downstream:<name>`). */
export function faultOp(e: FaultEvent, process: string, during: { check?: string; endpoint?: string } = {}): HistoryOpInput {
  const key = unquoteKey(e.key);
  return {
    type: 'fault',
    process,
    f: e.fault,
    ...during,
    at: e.at,
    ...(key !== undefined ? { key } : {}),
    ...(e.upstreamStatuses ? { upstreamStatuses: e.upstreamStatuses } : {}),
    ...(e.delayMs !== undefined ? { delayMs: e.delayMs } : {}),
  };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function createChaosRuntime(deps: ChaosRuntimeDeps): ChaosRuntime {
  const base = deps.baseUrl.replace(/\/+$/, '');
  const policy: RetryPolicy = deps.scenario.retry ?? DEFAULT_RETRY_POLICY;
  const budget = policy.budget ? new RetryBudget(policy.budget) : undefined;
  // A private pool for the target's admin routes: they are not part of the audited traffic.
  const admin = new Agent({ connections: 4, keepAliveTimeout: 2_000, connect: { timeout: deps.timeoutMs } });
  let settings: Promise<TargetSettings | undefined> | undefined;

  async function call(method: 'GET' | 'POST' | 'PUT', url: string, headers: Record<string, string> = {}): Promise<{ status: number; doc: unknown }> {
    const timeout = AbortSignal.timeout(deps.timeoutMs);
    const res = await request(url, {
      method,
      headers,
      dispatcher: admin,
      signal: AbortSignal.any([deps.signal, timeout]),
      headersTimeout: deps.timeoutMs,
      bodyTimeout: deps.timeoutMs,
    });
    // Admin answers are small JSON documents; anything longer is cut (bounded memory).
    const doc = await readSmallJson(res.body);
    return { status: res.statusCode, doc };
  }

  const getSettings = (): Promise<TargetSettings | undefined> => {
    if (deps.offline) return Promise.resolve(undefined);
    settings ??= call('GET', `${base}${HEALTH_PATH}`).then(
      ({ status, doc }) => (status === 200 ? parseHealth(doc) : undefined),
      () => undefined,
    );
    return settings;
  };

  const hook = deps.scenario.hooks?.storeOutage;
  const self = deps.isSelf ? deps.scenario.self : undefined;

  return {
    portFor(check, endpoint, emit) {
      const proxies: ChaosProxy[] = [];
      const recordFault = (e: FaultEvent): HistoryOp => deps.history.record(faultOp(e, 'proxy', { check, endpoint }));
      const port: ChaosPort & { closeAll(): Promise<void> } = {
        policy,
        budget,
        self: self
          ? {
              ...(self.leaseMs !== undefined ? { leaseMs: self.leaseMs } : {}),
              ...(self.processingMs !== undefined ? { processingMs: self.processingMs } : {}),
            }
          : undefined,
        async proxy(faults: ReadonlyArray<FaultSpecInput | FaultSpecBase>, label: string): Promise<ChaosProxy> {
          const events: FaultEvent[] = [];
          const ops: HistoryOp[] = [];
          const answers: Array<{ key?: string; status: number; at: number }> = [];
          if (deps.offline)
            return offlineProxy(
              base,
              faults.map((f, i) => parseFaultSpec(f, `fault #${i + 1}`)),
            );
          const proxy = await startFaultProxy({
            upstream: base,
            faults,
            seed: `${deps.seed}/chaos/${check}/${endpoint}/${label}`,
            onEvent: (e) => {
              events.push(e);
              ops.push(recordFault(e));
            },
            onUpstreamAnswer: (a) => {
              const key = unquoteKey(a.key);
              answers.push({ status: a.status, at: a.at, ...(key !== undefined ? { key } : {}) });
            },
            upstreamTimeoutMs: Math.max(deps.timeoutMs, 1_000),
          });
          const seed = `${deps.seed}/chaos/${check}/${endpoint}/${label}`;
          const handle: ChaosProxy = {
            url: proxy.url,
            faults: proxy.specs,
            command: proxyCommand(base, proxy.port, seed, proxy.specs),
            via(req: OutgoingRequest): OutgoingRequest {
              if (!req.url.startsWith(base)) throw new Error(`request ${req.url} is not addressed to the target ${base}`);
              return { ...req, url: `${proxy.url}${req.url.slice(base.length)}` };
            },
            events: () => events,
            upstreamAnswers: () => answers,
            ops: () => ops,
            injected: () => Object.values(proxy.stats().faults).reduce((n, s) => n + s.injected, 0),
            close: () => proxy.close(),
          };
          proxies.push(handle);
          return handle;
        },
        rng: (label) => createRng(`${deps.seed}/chaos/${check}/${endpoint}/${label}`),
        record: (op) => deps.history.record({ check, endpoint, ...op }),
        settings: getSettings,
        async ledger(key): Promise<LedgerEntry[] | undefined> {
          const url = deps.ledgerUrl();
          if (!url || deps.offline) return undefined;
          try {
            const { status, doc } = await call('GET', `${url}${url.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`);
            const list = (doc as { executions?: unknown } | undefined)?.executions;
            if (status !== 200 || !Array.isArray(list)) return undefined;
            return list.map((x) => {
              const e = (x ?? {}) as Record<string, unknown>;
              const entry: LedgerEntry = { id: typeof e.id === 'string' ? e.id : JSON.stringify(e.id ?? null) };
              const r = num(e.receivedAt);
              const x2 = num(e.executedAt);
              if (r !== undefined) entry.receivedAt = r;
              if (x2 !== undefined) entry.executedAt = x2;
              return entry;
            });
          } catch {
            return undefined;
          }
        },
        async hasStoreOutage() {
          if (deps.offline) return false;
          if (hook) return true;
          return (await getSettings())?.storeOutagePath !== undefined;
        },
        async storeOutage(ms): Promise<StoreOutage | undefined> {
          if (deps.offline) return undefined;
          const started = Date.now();
          let url: string;
          let method: 'GET' | 'POST' | 'PUT' = 'POST';
          let headers: Record<string, string> = {};
          let via: string;
          if (hook) {
            const path = hook.path.replace(/\{\{\s*ms\s*\}\}/g, String(ms));
            // Always on the target itself: the hook cannot send traffic anywhere the audit may not go.
            url = `${base}${path}`;
            method = hook.method;
            headers = { ...(hook.headers ?? {}) };
            via = 'scenario hook';
          } else {
            const path = (await getSettings())?.storeOutagePath;
            if (!path) return undefined;
            url = `${base}${path}${path.includes('?') ? '&' : '?'}ms=${ms}`;
            via = 'reference switch';
          }
          const { status, doc } = await call(method, url, headers);
          if (status < 200 || status >= 300) throw new Error(`the store-outage ${via} answered ${status}`);
          const until = num((doc as { until?: unknown } | undefined)?.until) ?? started + ms;
          return { via, until };
        },
        emit,
        now: () => deps.clock.now(),
        async closeAll() {
          await Promise.all(proxies.splice(0).map((p) => p.close()));
        },
      };
      return port;
    },
    close: () => admin.close(),
  };
}

const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** One --fault flag of `idemaudit proxy`: name[:probability][,key=value...] with method= and path= for the match. */
export function faultFlag(spec: FaultSpecBase): string {
  const { name, probability, match, ...options } = spec as FaultSpecBase & Record<string, unknown>;
  const parts = [`${name}${probability < 1 ? `:${probability}` : ''}`];
  for (const [k, v] of Object.entries(options)) parts.push(`${k}=${String(v)}`);
  if (match?.method) parts.push(`method=${match.method}`);
  if (match?.path) parts.push(`path=${match.path}`);
  return parts.join(',');
}

/** The command line that starts the same proxy (same faults, same dice) on the same port. */
export function proxyCommand(upstream: string, port: number, seed: string, faults: readonly FaultSpecBase[]): string {
  return [
    'idemaudit proxy --upstream',
    shellQuote(upstream),
    '--listen',
    String(port),
    '--seed',
    shellQuote(seed),
    ...faults.flatMap((f) => ['--fault', shellQuote(faultFlag(f))]),
  ].join(' ');
}

/** What a dry run plans with: requests are rewritten to a placeholder host the gate never sends to. */
function offlineProxy(base: string, faults: FaultSpecBase[]): ChaosProxy {
  const url = 'http://fault-proxy.invalid';
  return {
    url,
    faults,
    command: proxyCommand(base, 0, 'dry-run', faults),
    via: (req) => ({ ...req, url: req.url.startsWith(base) ? `${url}${req.url.slice(base.length)}` : req.url }),
    events: () => [],
    upstreamAnswers: () => [],
    injected: () => 0,
    ops: () => [],
    close: async () => {},
  };
}
